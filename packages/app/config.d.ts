export interface Config {
  auth?: {
    providers?: {
      demoUsers?: {
        /**
         * The example organisation's people the local portal's sign-in page offers (the
         * backend's demoUsers provider accepts the same names, in development only).
         * @visibility frontend
         */
        users?: string[];
      };
    };
  };
}
