/** Pieces several policy kinds share: VM groups and time windows. */
import { validate as validCron } from "node-cron";
import { z } from "zod";
import { labelSelector } from "../../schema/fields.ts";

/** Which VMs a rule or profile applies to: a label selector, optionally limited to namespaces. */
export const vmGroup = z
  .strictObject({
    selector: labelSelector.prefault({}),
    namespaces: z.array(z.string().min(1)).default([]).meta({ description: "Namespaces to look in; empty means all." }),
  })
  .meta({ description: "A group of VMs: those whose labels match `selector`, in `namespaces` (all when empty)." });

export type VmGroup = z.output<typeof vmGroup>;

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time of day as HH:MM");

export const weekday = z.enum(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
export type Weekday = z.output<typeof weekday>;

/** A weekly window such as Mon–Fri 22:00–06:00; an end before the start runs past midnight. */
export const weeklyWindow = z.strictObject({
  days: z.array(weekday).default(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
  start: clock,
  end: clock,
});

export type WeeklyWindow = z.output<typeof weeklyWindow>;

/** A one-off window between two RFC 3339 times, e.g. a change freeze over a release. */
export const dateWindow = z
  .strictObject({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    reason: z.string().optional(),
  })
  .refine((window) => Date.parse(window.to) > Date.parse(window.from), {
    message: "`to` must be after `from`",
    path: ["to"],
  });

export type DateWindow = z.output<typeof dateWindow>;

export const cronExpression = z
  .string()
  .refine((expression) => validCron(expression), { message: "not a valid cron expression (example: */5 * * * *)" });

export const timeZone = z
  .string()
  .refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: "not a known IANA time zone (example: Europe/Berlin)" },
  )
  .default("UTC");
