/** The inspection tablet's words for an unannounced inspection not yet published. */
const messages = {
  inspectCovert: {
    concealedLeader: 'Unannounced inspector (not yet published)',
  },
};

export default messages;
