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
