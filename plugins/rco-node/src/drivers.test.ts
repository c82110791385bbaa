import { driverWording } from './drivers';

describe('driverWording', () => {
  it("uses the driver's own words", () => {
    expect(
      driverWording({
        label: 'Helm',
        describe: {
          deployStep: 'helm upgrade --install --atomic --wait',
          cannotAbortReason: '--atomic rolls a failed upgrade back itself',
          whereToLook: 'the Helm history',
        },
      }),
    ).toEqual({
      deployStep: 'helm upgrade --install --atomic --wait',
      cannotAbortReason: '--atomic rolls a failed upgrade back itself',
      whereToLook: 'the Helm history',
    });
  });

  it('words a driver that says nothing from its label', () => {
    expect(driverWording({ label: 'Flux' })).toEqual({
      deployStep: 'Deploy with Flux',
      cannotAbortReason: undefined,
      whereToLook: 'what Flux shows',
    });
  });
});
