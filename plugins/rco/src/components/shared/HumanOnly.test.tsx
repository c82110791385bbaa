import { screen } from '@testing-library/react';
import { mockApi, render } from '../../__testUtils__/releaseFixtures';

jest.setTimeout(30_000);

/** Issue 16: the page says which operations no assistant can start. */
describe('human-only operations', () => {
  it('says on the Release tab that signing off is human-only', async () => {
    await render(mockApi());
    expect(
      await screen.findByText(
        /Signing off is human-only: assistants connected to the portal through MCP/,
        undefined,
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
  });
});
