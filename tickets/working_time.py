"""Working time: seconds of work between two instants, and the instant a number of working seconds after another,
in calendar time or in a business calendar's hours in its time zone (skipping holidays, respecting DST). The SLA
timers measure their targets with it (tickets.sla_timers)."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3700  # a target that cannot be met within ten years of working days is a configuration error


class WorkingTime:
    """Seconds of work between instants, and the instant a number of working seconds after another."""

    def __init__(self, calendar=None):
        self.calendar = calendar
        if calendar is None:
            return
        self.tz = ZoneInfo(calendar.timezone)
        self.hours = {day: [] for day in range(7)}
        for row in calendar.hours.all():
            self.hours[row.weekday].append((row.start, row.end))
        for day in self.hours.values():
            day.sort()
        self.holidays = {h.date for h in calendar.holidays.all()}
        if not any(self.hours.values()):
            raise ValueError(f"business calendar {calendar.name!r} has no working hours")

    def _intervals(self, start_date):
        """Working intervals (UTC datetimes) from a local date on. Local wall-clock hours, so DST is respected."""
        for offset in range(MAX_DAYS):
            day = start_date + timedelta(days=offset)
            if day in self.holidays:
                continue
            for begin, end in self.hours[day.weekday()]:
                yield (datetime.combine(day, begin, tzinfo=self.tz).astimezone(UTC),
                       datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC))

    def add(self, start, seconds):
        if self.calendar is None:
            return start + timedelta(seconds=seconds)
        start = start.astimezone(UTC)
        remaining = max(0.0, float(seconds))
        for begin, end in self._intervals(start.astimezone(self.tz).date() - timedelta(days=1)):
            if end <= start:
                continue
            begin = max(begin, start)
            available = (end - begin).total_seconds()
            if remaining <= available:
                return begin + timedelta(seconds=remaining)
            remaining -= available
        raise ValueError("no working time within ten years")

    def between(self, a, b):
        if b <= a:
            return 0
        if self.calendar is None:
            return int((b - a).total_seconds())
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        total = 0.0
        for begin, end in self._intervals(a.astimezone(self.tz).date() - timedelta(days=1)):
            if begin >= b:
                break
            overlap = (min(end, b) - max(begin, a)).total_seconds()
            if overlap > 0:
                total += overlap
        return int(total)


def working_time_for(policy):
    """The working time a policy's targets are measured in: its business calendar's, or calendar time without one
    (or without a policy)."""
    calendar = policy.calendar if policy is not None else None
    return WorkingTime(calendar)
