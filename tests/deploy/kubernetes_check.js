// Checks the Kubernetes manifests given on the command line, and prepares
// their containers to be run here by kubernetes_test.sh.
// 1. Every object validates against the Kubernetes schema of its kind
//    (npm's kubernetes-models: types, required fields, enums, formats).
// 2. The references between objects hold: selectors match pod labels, a
//    StatefulSet's serviceName is a headless Service, Services' target
//    ports, probes' ports and volume mounts name what the pod has, every
//    file an argument reads from a Secret volume is a key of that Secret,
//    every PodDisruptionBudget selects a workload.
// 3. For each StatefulSet's container, OUT/NAME.args (one argument a line)
//    with the paths and addresses rewritten for loopback: a Secret's mount
//    path becomes OUT/secrets/SECRET (decoded there), a claim's mount path
//    OUT/NAME-data, 0.0.0.0:PORT becomes 127.0.0.1:0; OUT/NAME.command is
//    the binary's file name, OUT/NAME.readiness the readiness probe's
//    gRPC service.
// Usage: node kubernetes_check.js OUT_DIR FILE.yaml...
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

const [outDir, ...files] = process.argv.slice(2);
const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

const objects = [];
for (const file of files) {
  for (const doc of yaml.loadAll(fs.readFileSync(file, 'utf8'))) {
    if (doc) objects.push({ file: path.basename(file), doc });
  }
}

// 1. The schema of each kind.
for (const { file, doc } of objects) {
  const where = `${file} ${doc.kind}/${doc.metadata && doc.metadata.name}`;
  const group = doc.apiVersion && doc.apiVersion.includes('/') ? doc.apiVersion : `${doc.apiVersion}`;
  let Model;
  try {
    Model = require(`kubernetes-models/${group}/${doc.kind}`)[doc.kind];
  } catch (e) {
    problem(where, `no schema for apiVersion ${doc.apiVersion} kind ${doc.kind}`);
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    problem(where, e.message);
  }
}

const ofKind = (kind) => objects.filter((o) => o.doc.kind === kind).map((o) => o.doc);
const matches = (selector, labels) =>
  Object.entries(selector || {}).every(([k, v]) => labels && labels[k] === v);
const services = ofKind('Service');
const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name, s]));
const sets = ofKind('StatefulSet');

// 2. References.
for (const set of sets) {
  const where = `StatefulSet/${set.metadata.name}`;
  const template = set.spec.template;
  const labels = template.metadata.labels;
  if (!matches(set.spec.selector.matchLabels, labels)) {
    problem(where, 'selector does not match the pod template labels');
  }
  const governing = services.find((s) => s.metadata.name === set.spec.serviceName);
  if (!governing) problem(where, `serviceName ${set.spec.serviceName} is not a Service here`);
  else if (governing.spec.clusterIP !== 'None') problem(where, `Service ${set.spec.serviceName} is not headless`);
  const volumes = new Map((template.spec.volumes || []).map((v) => [v.name, v]));
  const claims = new Set((set.spec.volumeClaimTemplates || []).map((c) => c.metadata.name));
  for (const container of template.spec.containers) {
    const cwhere = `${where} container ${container.name}`;
    const portNumbers = new Set((container.ports || []).map((p) => p.containerPort));
    const portNames = new Set((container.ports || []).map((p) => p.name));
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const probe = container[kind];
      if (!probe) { problem(cwhere, `no ${kind}`); continue; }
      if (!probe.grpc) { problem(cwhere, `${kind} is not a gRPC probe`); continue; }
      if (!portNumbers.has(probe.grpc.port)) problem(cwhere, `${kind} port ${probe.grpc.port} is not a container port`);
    }
    if (container.readinessProbe && container.readinessProbe.grpc && !container.readinessProbe.grpc.service) {
      problem(cwhere, 'the readiness probe names no service (it would ask for liveness)');
    }
    for (const service of services.filter((s) => matches(s.spec.selector, labels))) {
      for (const port of service.spec.ports) {
        if (typeof port.targetPort === 'string' && !portNames.has(port.targetPort)) {
          problem(`Service/${service.metadata.name}`, `targetPort ${port.targetPort} is not a port of ${container.name}`);
        }
      }
    }
    const rewrites = [];  // [from, to], longest mount path first
    for (const mount of container.volumeMounts || []) {
      if (claims.has(mount.name)) {
        const data = path.join(outDir, `${set.metadata.name}-data`);
        fs.mkdirSync(data, { recursive: true });  // the volume exists
        rewrites.push([mount.mountPath, data]);
        continue;
      }
      const volume = volumes.get(mount.name);
      if (!volume) { problem(cwhere, `volumeMount ${mount.name} is neither a volume nor a claim`); continue; }
      if (!volume.secret) continue;
      const secret = secrets.get(volume.secret.secretName);
      if (!secret) { problem(cwhere, `Secret ${volume.secret.secretName} is not given`); continue; }
      const keys = Object.keys(secret.data || {});
      for (const arg of container.args || []) {
        const value = arg.replace(/^--[a-z_]+=/, '');
        if (value.startsWith(mount.mountPath + '/') &&
            !keys.includes(value.slice(mount.mountPath.length + 1))) {
          problem(cwhere, `${arg}: ${value.slice(mount.mountPath.length + 1)} is not a key of Secret ${secret.metadata.name}`);
        }
      }
      const secretDir = path.join(outDir, 'secrets', secret.metadata.name);
      fs.mkdirSync(secretDir, { recursive: true });
      for (const key of keys) {
        fs.writeFileSync(path.join(secretDir, key), Buffer.from(secret.data[key], 'base64'), { mode: 0o600 });
      }
      rewrites.push([mount.mountPath, secretDir]);
    }
    rewrites.sort((a, b) => b[0].length - a[0].length);
    const args = (container.args || []).map((arg) => {
      let out = arg.replace(/=0\.0\.0\.0:[0-9]+$/, '=127.0.0.1:0');
      for (const [from, to] of rewrites) {
        out = out.split(`=${from}/`).join(`=${to}/`);
      }
      return out;
    });
    const name = set.metadata.name;
    fs.writeFileSync(path.join(outDir, `${name}.args`), args.join('\n') + '\n');
    fs.writeFileSync(path.join(outDir, `${name}.command`), path.basename(container.command[0]) + '\n');
    const readiness = container.readinessProbe && container.readinessProbe.grpc;
    fs.writeFileSync(path.join(outDir, `${name}.readiness`), `${readiness ? readiness.service : ''}\n`);
  }
}
for (const pdb of ofKind('PodDisruptionBudget')) {
  if (!sets.some((s) => matches(pdb.spec.selector.matchLabels, s.spec.template.metadata.labels))) {
    problem(`PodDisruptionBudget/${pdb.metadata.name}`, 'selects no StatefulSet');
  }
}
for (const service of services) {
  if (!sets.some((s) => matches(service.spec.selector, s.spec.template.metadata.labels))) {
    problem(`Service/${service.metadata.name}`, 'selects no StatefulSet');
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  process.exit(1);
}
console.log(`${objects.length} objects valid: ${objects.map((o) => `${o.doc.kind}/${o.doc.metadata.name}`).join(', ')}`);
