// register() in its own file, preloaded: `node --import ./telemetry.mjs app.mjs`.
import { register } from '@agentburn/node';

register({ serviceName: 'preloaded' });
