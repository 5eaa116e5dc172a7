/** Console messages of the devices' local storage; part of the console's catalog (admin.en.ts). */
import type zhCN from './device-storage.zh-CN';

const messages: typeof zhCN = {
  deviceStorage: {
    retentionLabel: 'Days devices keep synced records',
    retentionHint:
      "Evaluators, duty kiosks and inspection tablets delete only records the server already has that are older than this, so they stay fast; records not yet sent, problems and walks not finished and today's duty sessions are never deleted. 7 to 3650 days.",
  },
};

export default messages;
