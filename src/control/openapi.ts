// The control API's OpenAPI 3.1 description, served at /openapi.json and kept in docs/openapi.json
// (a test checks the two are equal, so the file in docs/ cannot drift from what is served).

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });
const gateIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' } };
const limitParam = { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } };
const readErrors = { '400': errorResponse('A parameter is invalid; details name it.'), '401': errorResponse('No or wrong bearer token.') };
const writeErrors = { ...readErrors, '403': errorResponse('The read token cannot write.') };
const notFound = { '404': errorResponse('No such gate.') };

const decisionKind = { type: 'string', enum: ['RUNNING', 'PASS', 'FAIL', 'INCONCLUSIVE'] };
const gateStatus = { type: 'string', enum: ['open', 'decided', 'closed', 'aborted'] };
const time = { type: 'string', format: 'date-time' };

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'corrgate control API',
    version: '1',
    description:
      'Open gates from a spec, read their decisions and why, evaluate, close or abort them; and the endpoints Argo Rollouts (web metric) and Flagger (webhooks) call. Times are RFC 3339 in UTC. Reads need the read or the write token, writes the write token, when control.auth sets them. The same operations are served over gRPC as corrgate.v1.GateService.',
  },
  servers: [{ url: 'http://127.0.0.1:4320' }],
  security: [{ bearer: [] }],
  paths: {
    '/healthz': { get: { operationId: 'health', security: [], summary: 'Liveness of the control API.', responses: { '200': { description: 'Serving.', content: json({ type: 'object', properties: { status: { const: 'ok' } } }) } } } },
    '/openapi.json': { get: { operationId: 'openapi', security: [], summary: 'This document.', responses: { '200': { description: 'OpenAPI 3.1.', content: json({ type: 'object' }) } } } },
    '/v1/gates': {
      get: {
        operationId: 'listGates',
        summary: 'Gates, the newest run of each id, newest first.',
        parameters: [{ name: 'status', in: 'query', schema: gateStatus }, limitParam],
        responses: { '200': { description: 'Gates.', content: json({ type: 'object', properties: { gates: { type: 'array', items: ref('GateSummary') } }, required: ['gates'] }) }, ...readErrors },
      },
      post: {
        operationId: 'openGate',
        summary: 'Open a gate from a spec (docs/gates.md), as JSON or YAML.',
        requestBody: { required: true, content: { 'application/json': { schema: ref('GateSpec') }, 'application/yaml': { schema: ref('GateSpec') } } },
        responses: {
          '201': { description: 'Opened; Location names it.', content: json(ref('GateDetail')) },
          ...writeErrors,
          '409': errorResponse('A gate with this id is already open.'),
          '413': errorResponse('The body is larger than control.max_request_size.'),
          '415': errorResponse('Neither JSON nor YAML.'),
        },
      },
    },
    '/v1/gates/{id}': {
      get: {
        operationId: 'getGate',
        summary: 'A gate: status, spec, latest and final decision with per-rule results and evidence.',
        parameters: [gateIdParam],
        responses: { '200': { description: 'The gate.', content: json(ref('GateDetail')) }, ...readErrors, ...notFound },
      },
    },
    '/v1/gates/{id}/evaluations': {
      get: {
        operationId: 'listEvaluations',
        summary: "The gate's evaluations, newest first.",
        parameters: [gateIdParam, limitParam],
        responses: { '200': { description: 'Evaluations.', content: json({ type: 'object', properties: { evaluations: { type: 'array', items: ref('DecisionSummary') } } }) }, ...readErrors, ...notFound },
      },
    },
    '/v1/gates/{id}/evaluate': {
      post: { operationId: 'evaluateGate', summary: 'Evaluate now (an ended gate answers with its final decision).', parameters: [gateIdParam], responses: { '200': { description: 'The decision.', content: json(ref('Decision')) }, ...writeErrors, ...notFound } },
    },
    '/v1/gates/{id}/close': {
      post: { operationId: 'closeGate', summary: 'Close the window now and decide on what it holds.', parameters: [gateIdParam], responses: { '200': { description: 'The final decision.', content: json(ref('Decision')) }, ...writeErrors, ...notFound } },
    },
    '/v1/gates/{id}/abort': {
      post: { operationId: 'abortGate', summary: 'End the gate without a decision.', parameters: [gateIdParam], responses: { '200': { description: 'The aborted gate.', content: json(ref('GateSummary')) }, ...writeErrors, ...notFound } },
    },
    '/v1/decisions': {
      get: {
        operationId: 'listDecisions',
        summary: 'Final decisions, newest first, by gate, service in scope and decision.',
        parameters: [{ name: 'gate', in: 'query', schema: { type: 'string' } }, { name: 'service', in: 'query', schema: { type: 'string' } }, { name: 'decision', in: 'query', schema: decisionKind }, limitParam],
        responses: { '200': { description: 'Decisions.', content: json({ type: 'object', properties: { decisions: { type: 'array', items: ref('DecisionSummary') } } }) }, ...readErrors },
      },
    },
    '/v1/argo-rollouts/gates/{id}': {
      get: {
        operationId: 'argoRolloutsGate',
        summary:
          "Argo Rollouts web metric. The first call with `service` opens the gate from `template` (a write: needs the write token); later calls read the latest evaluation. successCondition: result.decision == \"pass\"; failureCondition: result.decision == \"fail\".",
        parameters: [
          gateIdParam,
          ...['service', 'namespace', 'environment', 'canary', 'stable', 'duration', 'template'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
        ],
        responses: { '200': { description: 'The decision, lower case.', content: json(ref('ArgoAnswer')) }, ...writeErrors, ...notFound, '409': errorResponse('The gate is open for another scope.') },
      },
      post: {
        operationId: 'argoRolloutsGatePost',
        summary: 'As GET, with the parameters in a JSON body.',
        parameters: [gateIdParam],
        requestBody: { content: json({ type: 'object', additionalProperties: { type: 'string' } }) },
        responses: { '200': { description: 'The decision, lower case.', content: json(ref('ArgoAnswer')) }, ...writeErrors, ...notFound },
      },
    },
    '/v1/flagger/{hook}': {
      post: {
        operationId: 'flaggerWebhook',
        summary:
          'Flagger webhook. 200 proceeds (for rollback: roll back), 412 halts, with the reason in the body. pre-rollout, rollout, confirm-promotion open the gate for the revision if need be. The token may be given as metadata.token.',
        parameters: [{ name: 'hook', in: 'path', required: true, schema: { type: 'string', enum: ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-traffic-increase', 'confirm-promotion', 'post-rollout', 'rollback', 'event'] } }],
        requestBody: { required: true, content: json(ref('FlaggerPayload')) },
        responses: { '200': { description: 'Proceed.', content: json(ref('FlaggerAnswer')) }, '412': { description: 'Halt.', content: json(ref('FlaggerAnswer')) }, ...writeErrors },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'string' }, description: 'One `path: problem` line per problem.' } },
            required: ['code', 'message', 'details'],
          },
        },
        required: ['error'],
      },
      GateSpec: { type: 'object', description: 'A gate spec: id, scope, window, interval, baseline, min_samples, scoring, dry_run, rules (docs/gates.md).', required: ['id', 'scope', 'window', 'rules'] },
      GateSummary: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          run: { type: 'integer', description: 'Which opening of this id.' },
          status: gateStatus,
          source: { type: 'string', enum: ['config', 'api', 'argo-rollouts', 'flagger'] },
          opened_at: time,
          ended_at: time,
          window: { type: 'object', properties: { start: time, end: time } },
          evaluations: { type: 'integer' },
          decision: { ...decisionKind, description: 'The latest decision as reported (a dry run reports PASS).' },
          score: { type: 'number' },
          reason: { type: 'string' },
          trace_id: { type: 'string', description: "The gate's trace (decision spans), 32 hex digits." },
        },
      },
      GateDetail: { allOf: [ref('GateSummary'), { type: 'object', properties: { spec: { type: 'object' }, document: {}, latest: ref('Decision'), final: ref('Decision') } }] },
      Decision: {
        type: 'object',
        description: 'One evaluation: the decision, score, reason, each rule, the baseline and the evidence (docs/decision-span.md). Times in epoch milliseconds.',
        properties: {
          gateId: { type: 'string' },
          evaluation: { type: 'integer' },
          decision: decisionKind,
          reported: decisionKind,
          score: { type: 'number' },
          final: { type: 'boolean' },
          reason: { type: 'string' },
          rules: { type: 'array', items: ref('RuleResult') },
          evidence: { type: 'object' },
          evaluatedAtMs: { type: 'number' },
        },
      },
      RuleResult: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          outcome: { type: 'string', enum: ['pass', 'fail', 'nodata'] },
          critical: { type: 'boolean' },
          weight: { type: 'number' },
          measure: { type: 'string' },
          observed: { type: ['number', 'null'] },
          baseline: { type: ['number', 'null'] },
          threshold: { type: 'string' },
          samples: { type: 'object', properties: { current: { type: 'integer' }, baseline: { type: 'integer' } } },
          reason: { type: 'string' },
        },
      },
      DecisionSummary: {
        type: 'object',
        properties: {
          gate: { type: 'string' },
          run: { type: 'integer' },
          evaluation: { type: 'integer' },
          evaluated_at: time,
          decision: decisionKind,
          reported: decisionKind,
          score: { type: 'number' },
          final: { type: 'boolean' },
          reason: { type: 'string' },
        },
      },
      ArgoAnswer: {
        type: 'object',
        properties: {
          gate: { type: 'string' },
          run: { type: 'integer' },
          decision: { type: 'string', enum: ['running', 'pass', 'fail', 'inconclusive'] },
          score: { type: ['number', 'null'] },
          reason: { type: 'string' },
          final: { type: 'boolean' },
          evaluation: { type: 'integer' },
          status: gateStatus,
          window_end: { type: ['string', 'null'], format: 'date-time' },
          trace_id: { type: 'string' },
        },
        required: ['gate', 'decision', 'score', 'reason', 'final'],
      },
      FlaggerPayload: {
        type: 'object',
        properties: { name: { type: 'string' }, namespace: { type: 'string' }, phase: { type: 'string' }, checksum: { type: 'string' }, metadata: { type: 'object', additionalProperties: { type: 'string' } } },
        required: ['name', 'namespace'],
      },
      FlaggerAnswer: {
        type: 'object',
        properties: { gate: { type: 'string' }, hook: { type: 'string' }, decision: decisionKind, proceed: { type: 'boolean' }, reason: { type: 'string' }, run: { type: 'integer' }, score: { type: 'number' } },
      },
    },
  },
} as const;
