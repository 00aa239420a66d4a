/** Operation span names of this instrumentation (the interval and run names are core's). */
export const SPAN_DAYTONA_CREATE = 'daytona.sandbox.create';
export const SPAN_DAYTONA_GET = 'daytona.sandbox.get';
export const SPAN_DAYTONA_START = 'daytona.sandbox.start';
export const SPAN_DAYTONA_STOP = 'daytona.sandbox.stop';
export const SPAN_DAYTONA_PAUSE = 'daytona.sandbox.pause';
export const SPAN_DAYTONA_ARCHIVE = 'daytona.sandbox.archive';
export const SPAN_DAYTONA_DELETE = 'daytona.sandbox.delete';
export const SPAN_DAYTONA_SET_AUTOSTOP = 'daytona.sandbox.set_autostop';
export const SPAN_DAYTONA_REFRESH_ACTIVITY = 'daytona.sandbox.refresh_activity';
export const SPAN_DAYTONA_FS_PREFIX = 'daytona.fs.';
