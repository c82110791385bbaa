import { configApiRef, discoveryApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { DEMO_USER_KEY, DemoSignInPage, demoUserLabel } from './DemoSignInPage';

function render(users?: string[]) {
  const onSignInSuccess = jest.fn();
  const config = mockApis.config({
    data: {
      app: { title: 'Helix Portal' },
      backend: { baseUrl: 'http://localhost:7007' },
      ...(users ? { auth: { providers: { demoUsers: { users } } } } : {}),
    },
  });
  return {
    onSignInSuccess,
    rendered: renderInTestApp(
      <TestApiProvider
        apis={[
          [configApiRef, config],
          [discoveryApiRef, mockApis.discovery()],
        ]}
      >
        <DemoSignInPage onSignInSuccess={onSignInSuccess} />
      </TestApiProvider>,
    ),
  };
}

describe('DemoSignInPage', () => {
  afterEach(() => localStorage.clear());

  it('is the plain guest sign-in page when no demo people are configured (production)', async () => {
    await render().rendered;
    expect(await screen.findByRole('button', { name: 'Enter' })).toBeVisible();
    expect(screen.queryByText(/Sign in as/)).toBeNull();
  });

  it('offers each configured demo person by name beside the guest', async () => {
    await render(['lena.vogel', 'samir.haddad']).rendered;
    expect(await screen.findByRole('button', { name: 'Enter' })).toBeVisible();
    expect(
      screen.getByRole('button', { name: 'Sign in as Lena Vogel' }),
    ).toBeVisible();
    expect(
      screen.getByRole('button', { name: 'Sign in as Samir Haddad' }),
    ).toBeVisible();
  });

  it('remembers the chosen person so a reload keeps them', async () => {
    await render(['lena.vogel']).rendered;
    fireEvent.click(
      await screen.findByRole('button', { name: 'Sign in as Lena Vogel' }),
    );
    await waitFor(() =>
      expect(localStorage.getItem(DEMO_USER_KEY)).toBe('lena.vogel'),
    );
    // The proxied page replaces the choice (it signs in through demoUsers with the header).
    await waitFor(() => expect(screen.queryByText(/Sign in as/)).toBeNull());
  });

  it('ignores a remembered person the configuration no longer lists', async () => {
    localStorage.setItem(DEMO_USER_KEY, 'mallory');
    await render(['lena.vogel']).rendered;
    expect(await screen.findByRole('button', { name: 'Enter' })).toBeVisible();
  });

  it('shows a persistent sign-in failure of a remembered person with a way back to the choices (issue 12 review, point 9)', async () => {
    localStorage.setItem(DEMO_USER_KEY, 'lena.vogel');
    const fetch = jest.spyOn(global, 'fetch' as any).mockImplementation(
      async () =>
        new Response(
          JSON.stringify({
            error: { name: 'NotAllowedError', message: 'demo sign-in is off' },
          }),
          { status: 403, headers: { 'content-type': 'application/json' } },
        ),
    );
    try {
      await render(['lena.vogel', 'samir.haddad']).rendered;
      const back = await screen.findByRole('button', {
        name: 'Choose someone else',
      });
      expect(screen.getByText(/Could not sign in as Lena Vogel/)).toBeVisible();
      fireEvent.click(back);
      expect(localStorage.getItem(DEMO_USER_KEY)).toBeNull();
      expect(
        await screen.findByRole('button', { name: 'Sign in as Samir Haddad' }),
      ).toBeVisible();
    } finally {
      fetch.mockRestore();
    }
  });

  it('labels people by name', () => {
    expect(demoUserLabel('amara.okafor')).toBe('Amara Okafor');
  });
});
