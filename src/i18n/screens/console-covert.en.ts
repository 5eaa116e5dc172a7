/** Console messages of publishing an unannounced inspection; part of admin.en.ts. */
const messages = {
  walkPublish: {
    label: 'Publication',
    publish: 'Publish inspection',
    publishing: 'Publishing…',
    hint: 'Until published, other devices show only “Unannounced inspector (not yet published)”; afterwards they show who inspected. Publishing cannot be undone.',
    published: 'Published ({time})',
    listPublished: 'Published',
    notPublished: 'Not published',
    errors: {
      not_unannounced: 'Only an unannounced inspection is published; this walk was announced.',
      unknown_walk: 'This walk was not found; it may belong to another hall.',
    },
  },
};

export default messages;
