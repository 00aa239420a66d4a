/** Operation span names of this instrumentation (the interval and run names are core's). */
export const SPAN_VERCEL_CREATE = 'vercel.sandbox.create';
export const SPAN_VERCEL_GET = 'vercel.sandbox.get';
export const SPAN_VERCEL_STOP = 'vercel.sandbox.stop';
export const SPAN_VERCEL_EXTEND_TIMEOUT = 'vercel.sandbox.extend_timeout';
