// A CommonJS app that requires openai before register().
const OpenAI = require('openai');
const { register } = require('@agentburn/node');

register({ serviceName: 'cjs-late', handleExit: false }).shutdown();
void OpenAI;
