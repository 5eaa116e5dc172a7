/** Messages of the not-found and not-yet-available pages, loaded with that screen. */
const notFound = {
  notFound: {
    pageTitle: '页面不存在',
    title: '页面不存在',
    text: '您访问的页面不存在，请检查地址是否正确。',
    unavailableTitle: '此功能暂未开放',
    unavailableText: '该页面将在后续版本中提供。',
  },
};

export default notFound;
