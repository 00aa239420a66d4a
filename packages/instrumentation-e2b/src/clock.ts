export { type Clock, scheduleAt, systemClock } from '@agentburn/core';
