import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import rcoPlugin from '@helix-portal/plugin-rco/alpha';
import { navModule } from './modules/nav';
import { signInModule } from './modules/signIn';

export default createApp({
  features: [catalogPlugin, rcoPlugin, navModule, signInModule],
});
