/** Messages of the start page, loaded with that screen. */
const home = {
  home: {
    pageTitle: '首页',
    title: '政务服务大厅终端',
    intro: '好差评、局长坐班、局长走流程，离线也能正常使用。',
    ratingNote: '市民请扫描窗口评价卡上的二维码进行评价。',
    evaluator: '窗口评价器',
    evaluatorText: '放在窗口上的平板，市民轻触即可评价。',
    inspect: '走流程巡查平板',
    inspectText: '领导走流程、暗访，拍照记录问题，跟踪整改。',
    setup: '设备登记',
    setupText: '用管理员提供的登记码登记本设备。',
    admin: '管理后台',
    adminText: '打印评价卡、管理设备、查看评价。',
  },
};

export default home;
