// register() in its own file, preloaded: `node --require ./telemetry.cjs app.cjs`.
require('@agentburn/node').register({ serviceName: 'preloaded' });
