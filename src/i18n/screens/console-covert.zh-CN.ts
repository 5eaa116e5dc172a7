/** Console messages of publishing an unannounced inspection (暗访); part of admin.zh-CN.ts. */
const messages = {
  walkPublish: {
    label: '公开状态',
    publish: '公开暗访结果',
    publishing: '正在公开…',
    hint: '公开前，其他设备只显示“暗访人员（未公开）”；公开后各设备显示实际暗访人员。公开后不能撤回。',
    published: '已公开（{time}）',
    listPublished: '已公开',
    notPublished: '未公开',
    errors: {
      not_unannounced: '只有暗访需要公开，这次走流程本来就是公开的。',
      unknown_walk: '找不到这次走流程，可能不属于本大厅。',
    },
  },
};

export default messages;
