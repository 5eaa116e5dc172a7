/** English messages of the public hall board (/board): the same keys as `board.zh-CN.ts`. */
import type boardZhCN from './board.zh-CN';

const board: typeof boardZhCN = {
  board: {
    pageTitle: 'Hall board',
    onDutyTitle: 'Leaders on duty today',
    onDutyNone: 'No leader is on duty today.',
    signedIn: 'On duty now',
    scheduled: 'Scheduled',
    span: '{start}–{end}',
    since: 'since {start}',
    wholeDepartment: 'Whole department',
    satisfactionTitle: 'Satisfaction by department, {month}',
    department: 'Department',
    goodRate: 'Satisfied',
    averageScore: 'Average score',
    ratings: 'Ratings',
    noRatings: 'No ratings yet',
    percent: '{value}%',
    score: '{value}',
    count: '{count}',
    noDepartments: 'No departments yet.',
    updated: 'Updated {time}',
    stale:
      'The server cannot be reached; showing the information as of {time}. It updates by itself once the connection is back.',
    failed: 'The board cannot be loaded right now; the page retries by itself.',
    loading: 'Loading the board…',
    date: '{day}/{month}/{year}',
  },
};

export default board;
