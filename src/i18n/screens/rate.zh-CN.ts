/** Messages of the rating page (/r/:code), loaded with that screen. */
const rate = {
  rate: {
    pageTitle: '服务评价',
    prompt: '请对本次服务进行评价',
    thanksTitle: '感谢您的评价！',
    thanksText: '您的评价已保存，我们会认真对待每一条意见。',
    thanksPoor: '我们会尽快核实并整改，必要时会与您联系。',
    rateAgain: '评价另一项服务',
    linkErrorTitle: '评价链接无效',
    linkErrorText:
      '这个评价二维码或链接不完整，或窗口不存在，无法评价。请扫描窗口上张贴的评价卡，或咨询大厅工作人员。',
    offlineTitle: '请先连接网络',
    offlineText: '首次打开评价页面需要联网。请连接网络后重试，之后即使没有网络也可以评价。',
    loadingWindow: '正在获取窗口信息…',
  },
  outcomes: {
    refused: '抱歉，您之前提交的一条评价未被计入：{reason}',
    refusedGeneric: '该评价未通过服务器校验。',
  },
};

export default rate;
