/** package.json's version and the build, set by vite.config.ts (`define`). */
declare const __APP_VERSION__: string;
