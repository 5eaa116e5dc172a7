/** English messages of the public duty schedule (/schedule): the same keys as `schedule.zh-CN.ts`. */
import type scheduleZhCN from './schedule.zh-CN';

const schedule: typeof scheduleZhCN = {
  schedule: {
    pageTitle: 'Duty schedule',
    title: 'Leaders on duty',
    today: 'On duty today',
    week: 'This week',
    weekRange: '{from} to {to}',
    dayDate: '{day}/{month}',
    department: 'Department',
    day: 'Day',
    onDuty: 'On duty now',
    wholeDepartment: 'Whole department',
    span: '{start}–{end}',
    noneToday: 'No leader is scheduled today.',
    noneWeek: 'No duty is scheduled this week yet.',
    loading: 'Loading the duty schedule…',
    failed:
      'The duty schedule cannot be loaded right now. Check the network; the page retries by itself.',
    stale: 'The server cannot be reached; showing the information as of {time}.',
    updated: 'Updated {time}, refreshed every minute',
    weekdays: {
      mon: 'Monday',
      tue: 'Tuesday',
      wed: 'Wednesday',
      thu: 'Thursday',
      fri: 'Friday',
      sat: 'Saturday',
      sun: 'Sunday',
    },
  },
};

export default schedule;
