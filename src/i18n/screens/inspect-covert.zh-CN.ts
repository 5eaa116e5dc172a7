/** The inspection tablet's words for an unannounced inspection (暗访) not yet published. */
const messages = {
  inspectCovert: {
    concealedLeader: '暗访人员（未公开）',
  },
};

export default messages;
