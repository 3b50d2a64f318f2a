import type { Plugin, Registry } from '@rrm/core';
import { betaScheduleEntries } from './beta-schedules';
import { distanceEntries } from './distances';

/** Registers the β schedules (kind 'beta-schedule') and distances (kind 'distance'). */
export const distillPlugin: Plugin = {
  name: '@rrm/distill',
  register(registry: Registry) {
    for (const entry of betaScheduleEntries) registry.add('beta-schedule', entry);
    for (const entry of distanceEntries) registry.add('distance', entry);
  },
};
