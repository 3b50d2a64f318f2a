// Training progress lives in core so that every trainer and schedule shares one definition.
export { PROGRESS_UNITS, position, trainingProgress, type ProgressUnit, type TrainingProgress } from '@rrm/core';
