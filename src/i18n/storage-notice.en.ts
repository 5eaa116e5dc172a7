/** English words of the storage notice: the same keys as `storage-notice.zh-CN.ts`. */
import type storageNoticeZh from './storage-notice.zh-CN';

const storageNotice: typeof storageNoticeZh = {
  outdatedTitle: 'This terminal’s app was updated in another window',
  outdatedText: 'Please reload this page to continue. Records already saved are kept.',
  blockedText:
    'Waiting for this terminal’s other windows to close so local storage can be updated. Please close or reload them.',
  reload: 'Reload',
};

export default storageNotice;
