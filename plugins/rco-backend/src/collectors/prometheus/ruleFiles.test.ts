import { CollectionPlace } from '@helix-portal/plugin-rco-node';
import { fillGlob, ruleFileCheck } from './ruleFiles';

const place = (namespace: string, name = 'rco'): CollectionPlace => ({
  entityRef: `component:default/${name}`,
  name,
  entityNamespace: 'default',
  environment: 'production',
  namespace,
});

const DIR = '/etc/prometheus/rules/prometheus-k8s-rulefiles-0';

describe('ruleFileCheck', () => {
  describe('without ruleFiles', () => {
    const own = ruleFileCheck(undefined, place('rco'));

    it("counts the operator's files named after the place's namespace", () => {
      expect(own(`${DIR}/rco-rco-slo-5b2f.yaml`)).toBe(true);
    });

    it("refuses the operator's files of any other namespace", () => {
      expect(own(`${DIR}/tenant-x-whatever-9b1c.yaml`)).toBe(false);
      // The namespace is a prefix with its dash: "rcox" is another namespace.
      expect(own(`${DIR}/rcox-slo-1.yaml`)).toBe(false);
      expect(own('prometheus-main-rulefiles-12/payments-rco-1.yaml')).toBe(
        false,
      );
    });

    it("refuses other operators' rule directories of another namespace (ThanosRuler, VictoriaMetrics)", () => {
      expect(
        own(
          '/etc/thanos/rules/thanos-ruler-main-rulefiles-0/tenant-x-fake-1.yaml',
        ),
      ).toBe(false);
      expect(
        own('/etc/vmalert/config/vm-main-rulefiles-0/tenant-x-fake.yaml'),
      ).toBe(false);
      expect(
        own('/etc/thanos/rules/thanos-ruler-main-rulefiles-0/rco-slo-1.yaml'),
      ).toBe(true);
    });

    it("counts the platform's own rule files and groups that name no file", () => {
      expect(own('/etc/prometheus/rules.d/slo.yml')).toBe(true);
      expect(own('')).toBe(true);
    });
  });

  describe('with ruleFiles', () => {
    it('counts only files a glob (filled for the place) matches', () => {
      const own = ruleFileCheck(
        [`**/prometheus-*-rulefiles-*/{namespace}-*.yaml`, '/rules/{name}.yml'],
        place('payments'),
      );
      expect(own(`${DIR}/payments-rco-slo-1.yaml`)).toBe(true);
      expect(own('/rules/rco.yml')).toBe(true);
      expect(own(`${DIR}/tenant-x-rco-1.yaml`)).toBe(false);
      expect(own('/rules/other.yml')).toBe(false);
      // A group without a file cannot be placed: not counted once globs are set.
      expect(own('')).toBe(false);
    });
  });
});

describe('fillGlob', () => {
  it("escapes glob characters in a place's values: a value matches itself only", () => {
    const glob = fillGlob('/rules/{namespace}/*.yaml', place('a*'));
    expect(glob).toBe('/rules/a\\*/*.yaml');
    const own = ruleFileCheck(['/rules/{namespace}/*.yaml'], place('a*'));
    expect(own('/rules/a*/x.yaml')).toBe(true);
    expect(own('/rules/abc/x.yaml')).toBe(false);
  });

  it('leaves unknown variables as written, object built-ins included', () => {
    expect(fillGlob('/rules/{team}/{name}.yml', place('ns'))).toBe(
      '/rules/{team}/rco.yml',
    );
    expect(fillGlob('/rules/{constructor}/{__proto__}.yml', place('ns'))).toBe(
      '/rules/{constructor}/{__proto__}.yml',
    );
  });
});
