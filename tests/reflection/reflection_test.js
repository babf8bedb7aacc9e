// Server reflection, checked with a client nobody here wrote: npm's
// grpc-js-reflection-client on @grpc/grpc-js. It lists both services,
// resolves their methods through reflection alone (no .proto file is read),
// and calls Submit and GetCountyReport with what it resolved.
// Usage: node reflection_test.js INGEST_ADDR AUDIT_ADDR
'use strict';
const assert = require('assert');
const grpc = require('@grpc/grpc-js');
const { GrpcReflection } = require('grpc-js-reflection-client');

const [ingestAddress, auditAddress] = process.argv.slice(2);
const insecure = grpc.credentials.createInsecure();

async function resolveService(address, name) {
  const reflection = new GrpcReflection(address, insecure);
  const services = await reflection.listServices();
  console.log(`${address} lists: ${services.join(', ')}`);
  assert(services.includes(name), `${name} missing from ${services}`);
  const descriptor = await reflection.getDescriptorBySymbol(name);
  const definition = descriptor.getPackageDefinition({
    keepCase: true, longs: String, enums: String, defaults: true,
  });
  const Service = name.split('.').reduce((o, part) => o[part],
                                         grpc.loadPackageDefinition(definition));
  assert(Service, `${name} not in the reflected descriptors`);
  return Service;
}

function call(client, method, request) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + 10000);
    client[method](request, { deadline }, (error, response) =>
      error ? reject(error) : resolve(response));
  });
}

async function main() {
  const Ingest = await resolveService(ingestAddress, 'headcount.v1.IngestService');
  const Audit = await resolveService(auditAddress, 'headcount.v1.AuditService');
  for (const method of ['Submit', 'SubmitBatch', 'GetSchool', 'ListSchools', 'Watch', 'Compact']) {
    assert(Ingest.service[method], `IngestService.${method} not resolved`);
  }
  for (const method of ['ListCounties', 'GetCountyReport', 'GetDistrictReport',
                        'ListGradeDiscrepancies', 'ListAlerts', 'WatchAlerts']) {
    assert(Audit.service[method], `AuditService.${method} not resolved`);
  }

  const ingest = new Ingest(ingestAddress, insecure);
  const submitted = await call(ingest, 'Submit', {
    submission_id: 'reflection-1', term: '2015-autumn', county: '利辛县',
    district: '永兴', school: '双龙中学',
    grades: [{ grade: 9, onsite_count: 53, registry_count: 72 }],
  });
  console.log('Submit ->', JSON.stringify(submitted));
  assert.strictEqual(submitted.outcome, 'CREATED');
  assert.strictEqual(submitted.revision, '1');

  // A rule broken through reflection gets the named field back.
  await assert.rejects(call(ingest, 'Submit', {
    submission_id: 'reflection-2', term: '2015-fall', county: '利辛县',
    district: '永兴', school: '双龙中学', grades: [{ grade: 9 }],
  }), (error) => error.code === grpc.status.INVALID_ARGUMENT &&
                 /term: must be/.test(error.details));

  const audit = new Audit(auditAddress, insecure);
  let report;
  for (let attempt = 0; attempt < 100; ++attempt) {
    try {
      report = await call(audit, 'GetCountyReport', { term: '2015-autumn', county: '利辛县' });
      if (report.revision === '1') break;
    } catch (error) {
      if (error.code !== grpc.status.NOT_FOUND) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log('GetCountyReport ->', JSON.stringify(report));
  assert.strictEqual(report.rows.length, 1);
  assert.strictEqual(report.rows[0].name, '永兴');
  assert.strictEqual(report.rows[0].ratio, '0.264');
  assert.strictEqual(report.rows[0].over_threshold, true);
  assert.strictEqual(report.total.difference, '19');
  ingest.close();
  audit.close();
  console.log('PASS');
}

main().catch((error) => {
  console.error('FAIL:', error);
  process.exit(1);
});
