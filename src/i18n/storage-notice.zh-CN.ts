/** Words of the notice shown on every screen when this tab cannot use its local storage as it is. */
const storageNotice = {
  outdatedTitle: '本终端程序已在另一个窗口更新',
  outdatedText: '请重新加载本页面后继续使用。已保存的记录不会丢失。',
  blockedText: '正在等待本终端的其他窗口关闭，以便更新本地存储。请关闭其他窗口或重新加载它们。',
  reload: '重新加载',
};

export default storageNotice;
