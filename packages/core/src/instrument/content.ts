import { ENV_CAPTURE_MESSAGE_CONTENT } from '../semconv';

/**
 * Whether prompts, completions, code and stdout may be recorded. An explicit
 * instrumentation option wins; otherwise the GenAI environment switch decides.
 * Off by default: content is private until the user opts in.
 */
export function shouldCaptureContent(option?: boolean): boolean {
  if (typeof option === 'boolean') return option;
  const value = typeof process === 'undefined' ? undefined : process.env[ENV_CAPTURE_MESSAGE_CONTENT];
  return value?.trim().toLowerCase() === 'true';
}

const decided = new WeakMap<object, boolean>();

/**
 * `shouldCaptureContent` for an instrumentation's config, decided once per
 * config object (`setConfig()` makes a new one): the environment is read at
 * the first call after the instrumentation is configured, not on every
 * call, where it was the largest single cost of a traced call.
 */
export function captureContentFor(config: { captureContent?: boolean | undefined }): boolean {
  let capture = decided.get(config);
  if (capture === undefined) {
    capture = shouldCaptureContent(config.captureContent);
    decided.set(config, capture);
  }
  return capture;
}
