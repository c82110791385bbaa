import {
  InfoCard,
  ProxiedSignInPage,
  SignInPage,
} from '@backstage/core-components';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import type { IdentityApi } from '@backstage/core-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { Box, Button, makeStyles, Typography } from '@material-ui/core';
import { ComponentType, useMemo, useState } from 'react';

/** Where the chosen demo person is remembered, so a reload keeps them signed in. */
export const DEMO_USER_KEY = 'rco:demo-user';

// Backstage's sign-in page fills the viewport; with the demo people below it, it ends after
// its own cards so the people follow them instead of a screen further down.
const useStyles = makeStyles({
  stack: { '& > main': { height: 'auto', minHeight: 0 } },
});

/** "lena.vogel" → "Lena Vogel". */
export const demoUserLabel = (name: string) =>
  name
    .split(/[._-]/)
    .filter(Boolean)
    .map(w => w[0].toUpperCase() + w.slice(1))
    .join(' ');

/**
 * Signing out forgets the demo person too; otherwise the next visit would sign them in again.
 * The identity's methods are forwarded one by one: spreading a class instance loses them.
 */
function forgetOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      localStorage.removeItem(DEMO_USER_KEY);
      await identity.signOut();
    },
  };
}

/** The server's sentence for a refused sign-in, not "Request failed with 403". */
const reasonOf = (error?: Error) =>
  (error as { body?: { error?: { message?: string } } } | undefined)?.body
    ?.error?.message ||
  error?.message ||
  'the sign-in service did not answer';

/**
 * What the proxied page shows when signing the remembered person in fails (the backend is down,
 * the person was removed, demo sign-in is off): the reason, and a way back to the choices, which
 * would otherwise never show again while the person stays remembered.
 */
function signInFailure(
  name: string,
  chooseAgain: () => void,
): ComponentType<{ error?: Error }> {
  return ({ error }) => (
    <Box maxWidth={720} m={4}>
      <Typography role="alert" color="error" variant="body1">
        Could not sign in as {demoUserLabel(name)}: {reasonOf(error)}
      </Typography>
      <Box mt={2}>
        <Button variant="contained" color="primary" onClick={chooseAgain}>
          Choose someone else
        </Button>
      </Box>
    </Box>
  );
}

/**
 * The local portal's sign-in page: Enter as the guest (an owner of RCO), or act as one of the
 * example organisation's people so a sign-off, a waiver or break-glass can be given by someone
 * other than the requester, from the page itself. The people are those of
 * `auth.providers.demoUsers.users`, which only the local portal's configuration names; the
 * backend's demoUsers provider refuses to work outside NODE_ENV=development anyway. Without that
 * list this is Backstage's guest sign-in page, unchanged.
 */
export function DemoSignInPage(props: SignInPageProps) {
  const classes = useStyles();
  const config = useApi(configApiRef);
  const people =
    config.getOptionalStringArray('auth.providers.demoUsers.users') ?? [];
  const [chosen, setChosen] = useState(() => {
    const stored = localStorage.getItem(DEMO_USER_KEY);
    return stored && people.includes(stored) ? stored : undefined;
  });
  const Failure = useMemo(
    () =>
      chosen
        ? signInFailure(chosen, () => {
            localStorage.removeItem(DEMO_USER_KEY);
            setChosen(undefined);
          })
        : undefined,
    [chosen],
  );
  if (chosen) {
    return (
      <ProxiedSignInPage
        {...props}
        provider="demoUsers"
        ErrorComponent={Failure}
        headers={{ 'x-rco-demo-user': chosen }}
        onSignInSuccess={identity =>
          props.onSignInSuccess(forgetOnSignOut(identity))
        }
      />
    );
  }
  return (
    <div className={classes.stack}>
      <SignInPage {...props} providers={['guest']} />
      {people.length > 0 && (
        <Box maxWidth={720} mb={4} px={3}>
          <InfoCard title="Local portal: act as someone of the example organisation">
            <Typography variant="body2" paragraph>
              The release page names who may sign, waive or break glass. Sign in
              as one of them to do it from the page. Demo people exist in the
              local portal only.
            </Typography>
            <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
              {people.map(name => (
                <Button
                  key={name}
                  variant="outlined"
                  onClick={() => {
                    localStorage.setItem(DEMO_USER_KEY, name);
                    setChosen(name);
                  }}
                >
                  Sign in as {demoUserLabel(name)}
                </Button>
              ))}
            </Box>
          </InfoCard>
        </Box>
      )}
    </div>
  );
}
