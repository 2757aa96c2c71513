/**
 * The part of Inngest's dev-server GraphQL schema (`pkg/coreapi/gql.*.graphql`) that scripts and
 * the SDK repository's tests query at `/v0/gql`: the event stream and events with their runs, a
 * run with its trace, a span's output, apps and functions. Type and field names are Inngest's, so
 * existing queries validate unchanged; fields stepflare has nothing for are left out and a query
 * naming them fails validation with a clear message instead of answering made-up values.
 * @module
 */
import { buildSchema, type GraphQLSchema } from "graphql";

const SDL = /* GraphQL */ `
  scalar Time
  scalar ULID
  scalar UUID
  scalar Bytes
  scalar Unknown
  scalar SpanMetadataKind
  scalar SpanMetadataScope
  scalar SpanMetadataValues

  type Query {
    apps(filter: AppsFilterV1): [App!]!
    app(id: UUID!): App
    functions: [Function!]
    functionBySlug(query: FunctionQuery!): Function
    stream(query: StreamQuery!): [StreamItem!]!
    event(query: EventQuery!): Event
    events(query: EventsQuery!): [Event!]
    eventV2(id: ULID!): EventV2!
    functionRun(query: FunctionRunQuery!): FunctionRun
    run(runID: String!): FunctionRunV2
    runTrace(runID: String!): RunTraceSpan!
    runTrigger(runID: String!): RunTraceTrigger!
    runTraceSpanOutputByID(outputID: String!): RunTraceSpanOutput!
  }

  input AppsFilterV1 {
    method: AppMethod
  }
  input FunctionQuery {
    workspaceId: ID! = "local"
    functionSlug: String!
  }
  input StreamQuery {
    after: ID
    before: ID
    limit: Int! = 20
    includeInternalEvents: Boolean
  }
  input EventQuery {
    workspaceId: ID! = "local"
    eventId: ID!
  }
  input EventsQuery {
    workspaceId: ID! = "local"
    lastEventId: ID
  }
  input FunctionRunQuery {
    workspaceId: ID! = "local"
    functionRunId: ID!
  }

  enum AppMethod {
    SERVE
    CONNECT
    API
  }
  enum StreamType {
    EVENT
    CRON
  }
  enum EventStatus {
    RUNNING
    COMPLETED
    PAUSED
    FAILED
    PARTIALLY_FAILED
    NO_FUNCTIONS
  }
  enum FunctionRunStatus {
    COMPLETED
    FAILED
    CANCELLED
    RUNNING
    QUEUED
    SKIPPED
  }
  enum FunctionTriggerTypes {
    EVENT
    CRON
  }
  enum RunTraceSpanStatus {
    FAILED
    QUEUED
    RUNNING
    COMPLETED
    WAITING
    CANCELLED
    SKIPPED
  }
  enum StepOp {
    INVOKE
    RUN
    SLEEP
    WAIT_FOR_EVENT
    AI_GATEWAY
    WAIT_FOR_SIGNAL
  }

  type Workspace {
    id: ID!
  }

  type App {
    id: ID!
    externalID: String!
    name: String!
    sdkLanguage: String!
    sdkVersion: String!
    framework: String
    url: String
    checksum: String
    error: String
    functions: [Function!]!
    method: AppMethod!
    appVersion: String
    connected: Boolean!
    functionCount: Int!
    autodiscovered: Boolean!
  }

  type Function {
    id: String!
    name: String!
    slug: String!
    config: String!
    concurrency: Int!
    triggers: [FunctionTrigger!]
    url: String!
    appID: String!
    app: App!
  }

  type FunctionTrigger {
    type: FunctionTriggerTypes!
    value: String!
    condition: String
  }

  type StreamItem {
    id: ID!
    trigger: String!
    type: StreamType!
    createdAt: Time!
    runs: [FunctionRun]
    inBatch: Boolean!
  }

  type Event {
    id: ULID!
    externalID: String
    workspace: Workspace
    name: String
    createdAt: Time
    payload: String
    status: EventStatus
    pendingRuns: Int
    totalRuns: Int
    raw: String
    functionRuns: [FunctionRun!]
  }

  type EventV2 {
    envID: UUID!
    id: ULID!
    idempotencyKey: String
    name: String!
    occurredAt: Time!
    raw: String!
    receivedAt: Time!
    runs: [FunctionRunV2!]!
    version: String
  }

  type FunctionRun {
    id: ID!
    functionID: String!
    function: Function
    workspace: Workspace
    event: Event
    events: [Event!]!
    status: FunctionRunStatus
    startedAt: Time
    finishedAt: Time
    output: String
    eventID: ID!
    cron: String
  }

  type FunctionRunV2 {
    id: ULID!
    appID: UUID!
    app: App!
    functionID: UUID!
    function: Function!
    traceID: String!
    queuedAt: Time!
    startedAt: Time
    endedAt: Time
    status: FunctionRunStatus!
    sourceID: String
    triggerIDs: [ULID!]!
    eventName: String
    isBatch: Boolean!
    cronSchedule: String
    output: Bytes
    trace(preview: Boolean): RunTraceSpan
    hasAI: Boolean!
    isDeferred: Boolean!
  }

  type RunTraceSpan {
    appID: UUID!
    functionID: UUID!
    runID: ULID!
    run: FunctionRun!
    spanID: String!
    traceID: String!
    groupID: String
    name: String!
    status: RunTraceSpanStatus!
    attempts: Int
    duration: Int
    outputID: String
    queuedAt: Time!
    startedAt: Time
    endedAt: Time
    childrenSpans: [RunTraceSpan!]!
    stepOp: StepOp
    stepID: String
    stepType: String!
    isRoot: Boolean!
    parentSpanID: String
    isUserland: Boolean!
    debugPaused: Boolean!
    metadata: [SpanMetadata!]!
  }

  type SpanMetadata {
    scope: SpanMetadataScope!
    kind: SpanMetadataKind!
    values: SpanMetadataValues!
    updatedAt: Time!
  }

  type RunTraceSpanOutput {
    input: Bytes
    data: Bytes
    error: StepError
  }

  type StepError {
    message: String!
    name: String
    stack: String
    cause: Unknown
  }

  type RunTraceTrigger {
    eventName: String
    IDs: [ULID!]!
    payloads: [Bytes!]!
    timestamp: Time!
    isBatch: Boolean!
    batchID: ULID
    cron: String
  }
`;

let built: GraphQLSchema | undefined;

/** The schema, built once per isolate. */
export function gqlSchema(): GraphQLSchema {
  built ??= buildSchema(SDL);
  return built;
}
