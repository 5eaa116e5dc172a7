/** English messages of the duty kiosk (/kiosk/duty): the same keys as `duty.zh-CN.ts`. */
import type dutyZhCN from './duty.zh-CN';

const duty: typeof dutyZhCN = {
  duty: {
    pageTitle: 'Leader duty kiosk',
    title: 'Leaders on duty',
    notEnrolledTitle: 'This device is not enrolled',
    notEnrolledText:
      'The duty kiosk must first be enrolled by an administrator. Use the enrollment code you were given.',
    setupLink: 'Go to device setup',
    wrongRoleTitle: 'This device is not a duty kiosk',
    wrongRoleText: 'This device is enrolled as “{role}” and cannot be used as a duty kiosk.',
    failedTitle: 'Local storage is not available',
    retry: 'Try again',
    scheduleTitle: "Today's duty schedule",
    scheduleDate: 'Date: {date}',
    noShifts: 'No duty is published for today. Leaders can still sign in for unscheduled duty.',
    colLeader: 'Leader',
    colDepartment: 'Department',
    colWindow: 'Window',
    colTime: 'Time',
    colStatus: 'Status',
    wholeDepartment: 'Whole department',
    signedIn: 'Signed in',
    notSignedIn: 'Not signed in',
    signInButton: 'Sign in',
    leadersTitle: 'Choose yourself to sign in',
    leadersHint: 'Tap your title or scan your badge QR code, then enter your personal PIN.',
    leaderSignedIn: '(on duty)',
    noLeaders: 'The list of leaders has not arrived yet. Connect this kiosk to the network once.',
    badgeTitle: 'Scan badge',
    badgeScan: 'Scan badge with the camera',
    badgeStop: 'Stop scanning',
    badgeLabel: 'Badge code',
    badgeSubmit: 'OK',
    badgeUnknown: 'No leader has this badge. Try again or choose yourself from the list.',
    cameraUnavailable: 'The camera cannot be used. Please type the badge code.',
    /** Kinds of ledger lines (also the duty export's words). */
    kinds: {
      served: 'People served',
      cases: 'Cases handled',
      solved: 'Problem solved on the spot',
      complaint: 'Complaint received',
      suggestion: 'Suggestion received',
    },
    storageFull:
      'Sorry, the device storage is full and this entry was not saved. Please tell staff.',
    cannotOpen:
      'This could not be opened just now. Please tap again; if it still does not open, tell staff.',
    pending: {
      one: '{count} duty record waiting to sync',
      other: '{count} duty records waiting to sync',
    },
    allSynced: 'All duty records synced',
  },
};

export default duty;
