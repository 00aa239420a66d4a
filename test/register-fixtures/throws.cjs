// An app that dies of an uncaught error.
throw new Error('boom from the app');
