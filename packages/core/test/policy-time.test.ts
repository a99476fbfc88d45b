// The criteria on the request's time: date, day_of_week, time_of_day, with time zones. The
// request time is given as `now`; the default request is at 2026-03-04T10:00:00Z, a Wednesday.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, type PolicyCriterion } from '@pomerium-auth/core';
import { input } from './policy-fixtures.js';

interface Row {
  says: string;
  criterion: Record<string, unknown>;
  at: string;
  matched: boolean;
}

function check(rows: Row[]): void {
  for (const row of rows) {
    test(`${row.says} (${row.at})`, () => {
      const policy = compilePolicy({ allow: { and: [row.criterion as PolicyCriterion] } });
      const decision = policy.evaluate(input({ now: Date.parse(row.at) }));
      assert.equal(decision.allowed, row.matched);
      assert.equal(decision.decidedBy[0]?.criteria[0]?.matched, row.matched);
    });
  }
}

const NOW = '2026-03-04T10:00:00Z';

describe('date', () => {
  check([
    { says: 'after a date', criterion: { date: { after: '2026-01-01' } }, at: NOW, matched: true },
    {
      says: 'before a date',
      criterion: { date: { before: '2026-01-01' } },
      at: NOW,
      matched: false,
    },
    {
      says: 'between two dates',
      criterion: { date: { after: '2026-03-01', before: '2026-04-01' } },
      at: NOW,
      matched: true,
    },
    {
      says: 'after is strict',
      criterion: { date: { after: '2026-03-04T10:00:00Z' } },
      at: NOW,
      matched: false,
    },
    {
      says: 'before is strict',
      criterion: { date: { before: '2026-03-04T10:00:00Z' } },
      at: NOW,
      matched: false,
    },
    {
      says: 'a date-time with an offset',
      criterion: { date: { after: '2026-03-04T10:30:00+01:00' } },
      at: NOW,
      matched: true,
    },
    {
      says: 'a date-time with fractions of a second',
      criterion: { date: { before: '2026-03-04T10:00:00.001Z' } },
      at: NOW,
      matched: true,
    },
    {
      says: 'a zone-less date-time is UTC by default',
      criterion: { date: { after: '2026-03-04T10:30:00' } },
      at: NOW,
      matched: false,
    },
    {
      says: 'a zone-less date-time is read in timezone',
      criterion: { date: { after: '2026-03-04T10:30:00', timezone: 'Europe/Berlin' } },
      at: NOW,
      matched: true,
    },
    {
      says: 'a date alone is midnight UTC',
      criterion: { date: { before: '2026-03-05' } },
      at: '2026-03-04T12:00:00Z',
      matched: true,
    },
    {
      says: 'a date alone is midnight in timezone (Auckland is 13 hours ahead)',
      criterion: { date: { before: '2026-03-05', timezone: 'Pacific/Auckland' } },
      at: '2026-03-04T12:00:00Z',
      matched: false,
    },
    {
      says: 'a Date object',
      criterion: { date: { after: new Date('2026-03-04T09:59:59Z') } },
      at: NOW,
      matched: true,
    },
  ]);
});

describe('day_of_week', () => {
  check([
    { says: 'a range', criterion: { day_of_week: 'mon-fri' }, at: NOW, matched: true },
    { says: 'a list', criterion: { day_of_week: 'sat,sun' }, at: NOW, matched: false },
    {
      says: 'full names, any case',
      criterion: { day_of_week: 'Monday, WEDNESDAY' },
      at: NOW,
      matched: true,
    },
    {
      says: 'a range may wrap: fri-mon',
      criterion: { day_of_week: 'fri-mon' },
      at: NOW,
      matched: false,
    },
    {
      says: 'a range may wrap: fri-mon holds on Sunday',
      criterion: { day_of_week: 'fri-mon' },
      at: '2026-03-08T12:00:00Z',
      matched: true,
    },
    {
      says: 'ranges and days mixed',
      criterion: { day_of_week: 'mon-tue,thu' },
      at: NOW,
      matched: false,
    },
    { says: '* is every day', criterion: { day_of_week: '*' }, at: NOW, matched: true },
    {
      says: 'days are UTC days by default',
      criterion: { day_of_week: 'thu' },
      at: '2026-03-04T23:30:00Z',
      matched: false,
    },
    {
      says: 'days in a time zone',
      criterion: { day_of_week: { days: 'thu', timezone: 'Asia/Tokyo' } },
      at: '2026-03-04T23:30:00Z',
      matched: true,
    },
  ]);
});

describe('time_of_day', () => {
  check([
    {
      says: 'within a window',
      criterion: { time_of_day: { timezone: 'UTC', after: '9:00', before: '17:00' } },
      at: NOW,
      matched: true,
    },
    {
      says: 'the window is read in its time zone (11:00 in Paris)',
      criterion: { time_of_day: { timezone: 'Europe/Paris', after: '9:00', before: '10:30' } },
      at: NOW,
      matched: false,
    },
    {
      says: 'the window is read in its time zone (11:00 in Paris), inside',
      criterion: {
        time_of_day: { timezone: 'Europe/Paris', after: '10:59:59.999', before: '11:30' },
      },
      at: NOW,
      matched: true,
    },
    {
      says: 'after is strict',
      criterion: { time_of_day: { timezone: 'UTC', after: '10:00' } },
      at: NOW,
      matched: false,
    },
    {
      says: 'before is strict',
      criterion: { time_of_day: { timezone: 'UTC', before: '10:00:00' } },
      at: NOW,
      matched: false,
    },
    {
      says: '12-hour times: 9AM to 5:00 PM',
      criterion: { time_of_day: { timezone: 'UTC', after: '9AM', before: '5:00 PM' } },
      at: NOW,
      matched: true,
    },
    {
      says: '12 PM is noon',
      criterion: { time_of_day: { timezone: 'UTC', after: '12 PM' } },
      at: NOW,
      matched: false,
    },
    {
      says: '12:30AM is half past midnight',
      criterion: { time_of_day: { timezone: 'UTC', after: '12:30AM', before: '1am' } },
      at: '2026-03-04T00:45:00Z',
      matched: true,
    },
    {
      says: 'after later than before: across midnight, late',
      criterion: { time_of_day: { timezone: 'UTC', after: '22:00', before: '6:00' } },
      at: '2026-03-04T23:00:00Z',
      matched: true,
    },
    {
      says: 'after later than before: across midnight, early',
      criterion: { time_of_day: { timezone: 'UTC', after: '22:00', before: '6:00' } },
      at: '2026-03-04T05:00:00Z',
      matched: true,
    },
    {
      says: 'after later than before: across midnight, daytime',
      criterion: { time_of_day: { timezone: 'UTC', after: '22:00', before: '6:00' } },
      at: NOW,
      matched: false,
    },
    {
      says: 'New York before its clocks went forward: 8:30 EST',
      criterion: { time_of_day: { timezone: 'America/New_York', after: '9:00' } },
      at: '2026-03-06T13:30:00Z',
      matched: false,
    },
    {
      says: 'New York after its clocks went forward: 9:30 EDT',
      criterion: { time_of_day: { timezone: 'America/New_York', after: '9:00' } },
      at: '2026-03-09T13:30:00Z',
      matched: true,
    },
  ]);
});

describe('the zone offset at a change of offset', () => {
  const berlin = compilePolicy({
    allow: { and: [{ time_of_day: { timezone: 'Europe/Berlin', after: '02:30' } }] },
  });
  const at = (iso: string) => berlin.evaluate(input({ now: Date.parse(iso) })).allowed;

  test('the last millisecond of winter time is 01:59:59.999 in Berlin, the first of summer time 03:00', () => {
    // Clocks go from 02:00 to 03:00 at 01:00 UTC on 2026-03-29. Asked in either order, each
    // instant gets its own offset.
    assert.equal(at('2026-03-29T00:59:59.999Z'), false);
    assert.equal(at('2026-03-29T01:00:00.000Z'), true);
    assert.equal(at('2026-03-29T00:59:59.999Z'), false);
  });

  test('an offset change at an odd instant (Monrovia, 1972: -0:44:30 to UTC) is exact to the second', () => {
    // The change falls inside a quarter hour (00:30 to 00:45 UTC): an offset taken from either
    // end of that quarter would be wrong for part of it.
    const monrovia = compilePolicy({
      allow: {
        and: [{ time_of_day: { timezone: 'Africa/Monrovia', after: '00:30', before: '23:00' } }],
      },
    });
    const early = (iso: string) => monrovia.evaluate(input({ now: Date.parse(iso) })).allowed;
    assert.equal(early('1972-01-07T00:44:30Z'), true); // 00:44:30 local: the new offset
    assert.equal(early('1972-01-07T00:44:29Z'), false); // 23:59:59 local: the old one
    assert.equal(early('1972-01-07T00:30:00Z'), false); // 23:45:30 local
    assert.equal(early('1972-01-07T00:44:30Z'), true);
    assert.equal(early('1972-01-07T00:45:00Z'), true);
  });
});

describe('a time that is not a time', () => {
  const rows: [string, unknown][] = [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['beyond what a Date holds', 9e15],
    ['a string', '2026-03-04'],
  ];
  const criteria: PolicyCriterion[] = [
    { date: { after: '1970-01-01' } },
    { day_of_week: '*' },
    { day_of_week: 'sun' },
    { time_of_day: { timezone: 'Europe/Berlin', after: '0:00' } },
    { time_of_day: { timezone: 'UTC', after: '22:00', before: '23:00' } },
  ];
  for (const [what, now] of rows) {
    test(`fails every time criterion, even *, and never throws: now is ${what}`, () => {
      for (const criterion of criteria) {
        const decision = compilePolicy({ allow: { and: [criterion] } }).evaluate(
          input({ now: now as number }),
        );
        assert.equal(decision.allowed, false, JSON.stringify(criterion));
      }
    });
  }
});
