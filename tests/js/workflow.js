// A full AppFabric workflow through the AWS SDK for JavaScript v2 against appfabric-mock's server.
//
// Usage: APPFABRIC_ENDPOINT=http://127.0.0.1:PORT node workflow.js
// Prints one JSON summary on stdout (tests/test_js_sdk.py asserts on it); exits 1 on an unexpected failure.
// The SDK has its own AppFabric model, serialiser and parser, so this checks the wire format
// independently of botocore: percent-encoded ARN labels, 204s without a body, error codes and members.
"use strict";

process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";

const http = require("http");
const AWS = require("aws-sdk");

const endpoint = process.env.APPFABRIC_ENDPOINT;
if (!endpoint) {
  console.error("APPFABRIC_ENDPOINT is not set");
  process.exit(2);
}

const client = new AWS.AppFabric({
  endpoint,
  region: "us-east-1",
  credentials: new AWS.Credentials("AKIDJSSDKEXAMPLE", "fake-secret-for-tests"),
  maxRetries: 0,
  sslEnabled: false,
});

// POST/GET a control action of the mock (not an AppFabric operation, so plain HTTP).
function control(method, action, body) {
  const url = new URL(`/_appfabric_mock/${action}`, endpoint);
  const payload = body === undefined ? "" : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) {
            reject(new Error(`control ${action}: HTTP ${res.statusCode} ${text}`));
          } else {
            resolve(JSON.parse(text));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

// The error a call fails with (and a failure if it succeeds).
async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return {
      code: err.code,
      statusCode: err.statusCode,
      message: err.message,
      resourceType: err.resourceType,
      resourceId: err.resourceId,
      reason: err.reason,
      fieldList: err.fieldList,
    };
  }
  throw new Error("the call succeeded but was expected to fail");
}

async function main() {
  const summary = { errors: {} };

  // -- app bundle ------------------------------------------------------------------------
  const bundle = (
    await client.createAppBundle({ tags: [{ key: "team", value: "security" }] }).promise()
  ).appBundle;
  const bundleArn = bundle.arn;
  summary.bundleArn = bundleArn;
  summary.bundleFromGet = (await client.getAppBundle({ appBundleIdentifier: bundleArn }).promise()).appBundle.arn;
  summary.bundleCount = (await client.listAppBundles({}).promise()).appBundleSummaryList.length;

  // -- app authorizations ------------------------------------------------------------------
  const created = (
    await client
      .createAppAuthorization({
        appBundleIdentifier: bundleArn,
        app: "ASANA",
        credential: { apiKeyCredential: { apiKey: "js-sdk-api-key-secret" } },
        tenant: { tenantIdentifier: "js-tenant", tenantDisplayName: "JS tenant" },
        authType: "apiKey",
      })
      .promise()
  ).appAuthorization;
  const authArn = created.appAuthorizationArn;
  summary.authorizationStatuses = [created.status];
  summary.createdAtIsDate = created.createdAt instanceof Date;
  const connected = await client
    .connectAppAuthorization({ appBundleIdentifier: bundleArn, appAuthorizationIdentifier: authArn })
    .promise();
  summary.authorizationStatuses.push(connected.appAuthorizationSummary.status);
  const updated = await client
    .updateAppAuthorization({
      appBundleIdentifier: bundleArn,
      appAuthorizationIdentifier: authArn,
      credential: { apiKeyCredential: { apiKey: "js-sdk-rotated-key" } },
    })
    .promise();
  summary.authorizationStatuses.push(updated.appAuthorization.status);
  await client
    .connectAppAuthorization({ appBundleIdentifier: bundleArn, appAuthorizationIdentifier: authArn })
    .promise();
  const fetched = await client
    .getAppAuthorization({ appBundleIdentifier: bundleArn, appAuthorizationIdentifier: authArn })
    .promise();
  summary.authorizationStatuses.push(fetched.appAuthorization.status);

  // A second authorization, then pagination over the two with maxResults 1.
  const second = (
    await client
      .createAppAuthorization({
        appBundleIdentifier: bundleArn,
        app: "TERRAFORMCLOUD",
        credential: { apiKeyCredential: { apiKey: "another-secret" } },
        tenant: { tenantIdentifier: "org-1", tenantDisplayName: "Org 1" },
        authType: "apiKey",
      })
      .promise()
  ).appAuthorization;
  const firstPage = await client.listAppAuthorizations({ appBundleIdentifier: bundleArn, maxResults: 1 }).promise();
  const secondPage = await client
    .listAppAuthorizations({ appBundleIdentifier: bundleArn, maxResults: 1, nextToken: firstPage.nextToken })
    .promise();
  summary.authorizationPages = [firstPage, secondPage].map((page) =>
    page.appAuthorizationSummaryList.map((item) => item.app),
  );
  summary.lastPageHasToken = Boolean(secondPage.nextToken);

  // -- user access tasks (the user is registered through the control API) ------------------
  await control("POST", "app-users", {
    app: "ASANA",
    tenantId: "js-tenant",
    email: "ada@example.com",
    userId: "U-ADA",
    firstName: "Ada",
    lastName: "Lovelace",
  });
  const started = await client
    .startUserAccessTasks({ appBundleIdentifier: bundleArn, email: "ada@example.com" })
    .promise();
  summary.userAccessStarted = started.userAccessTasksList.map((item) => ({
    app: item.app,
    hasTask: Boolean(item.taskId),
    errorCode: item.error ? item.error.errorCode : null,
  }));
  const taskIds = started.userAccessTasksList.filter((item) => item.taskId).map((item) => item.taskId);
  // The tasks run in the background, as on AWS: poll until none is in progress.
  summary.userAccessPolls = [];
  let results;
  for (let poll = 0; poll < 5; poll += 1) {
    results = await client.batchGetUserAccessTasks({ appBundleIdentifier: bundleArn, taskIdList: taskIds }).promise();
    const statuses = results.userAccessResultsList.map((item) => item.resultStatus);
    summary.userAccessPolls.push(statuses);
    if (!statuses.includes("IN_PROGRESS")) break;
  }
  summary.userAccessResults = results.userAccessResultsList.map((item) => ({
    app: item.app,
    resultStatus: item.resultStatus,
    userId: item.userId,
    email: item.email,
  }));

  // -- ingestion and destination -------------------------------------------------------------
  // An ingestion needs a Connected authorization: the second one was never connected.
  summary.errors.notConnected = await failure(
    client
      .createIngestion({ appBundleIdentifier: bundleArn, app: "TERRAFORMCLOUD", tenantId: "org-1", ingestionType: "auditLog" })
      .promise(),
  );
  const ingestion = (
    await client
      .createIngestion({ appBundleIdentifier: bundleArn, app: "ASANA", tenantId: "js-tenant", ingestionType: "auditLog" })
      .promise()
  ).ingestion;
  summary.ingestionStates = [ingestion.state];
  await client.startIngestion({ appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn }).promise();
  summary.ingestionStates.push(
    (await client.getIngestion({ appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn }).promise())
      .ingestion.state,
  );
  const destination = (
    await client
      .createIngestionDestination({
        appBundleIdentifier: bundleArn,
        ingestionIdentifier: ingestion.arn,
        processingConfiguration: { auditLog: { schema: "ocsf", format: "json" } },
        destinationConfiguration: { auditLog: { destination: { s3Bucket: { bucketName: "audit-logs", prefix: "js/" } } } },
        tags: [{ key: "env", value: "test" }],
      })
      .promise()
  ).ingestionDestination;
  summary.destinationStatuses = [destination.status];
  await control("POST", "destination-failed", { arn: destination.arn, reason: "bucket policy denies writes" });
  const failedDestination = (
    await client
      .getIngestionDestination({
        appBundleIdentifier: bundleArn,
        ingestionIdentifier: ingestion.arn,
        ingestionDestinationIdentifier: destination.arn,
      })
      .promise()
  ).ingestionDestination;
  summary.destinationStatuses.push(failedDestination.status);
  summary.destinationStatusReason = failedDestination.statusReason;
  const updatedDestination = (
    await client
      .updateIngestionDestination({
        appBundleIdentifier: bundleArn,
        ingestionIdentifier: ingestion.arn,
        ingestionDestinationIdentifier: destination.arn,
        destinationConfiguration: { auditLog: { destination: { firehoseStream: { streamName: "audit-stream" } } } },
      })
      .promise()
  ).ingestionDestination;
  summary.destinationStatuses.push(updatedDestination.status);
  summary.destinationKind = Object.keys(updatedDestination.destinationConfiguration.auditLog.destination);
  summary.destinationCount = (
    await client.listIngestionDestinations({ appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn }).promise()
  ).ingestionDestinations.length;

  // -- tags ----------------------------------------------------------------------------------
  await client.tagResource({ resourceArn: ingestion.arn, tags: [{ key: "owner", value: "js" }, { key: "tmp", value: "1" }] }).promise();
  await client.untagResource({ resourceArn: ingestion.arn, tagKeys: ["tmp"] }).promise();
  summary.ingestionTags = (await client.listTagsForResource({ resourceArn: ingestion.arn }).promise()).tags;
  summary.destinationTags = (await client.listTagsForResource({ resourceArn: destination.arn }).promise()).tags;
  // A resource without tags: the optional member is left out.
  summary.untaggedHasTags =
    "tags" in (await client.listTagsForResource({ resourceArn: second.appAuthorizationArn }).promise());

  // -- errors --------------------------------------------------------------------------------
  summary.errors.notFound = await failure(
    client.getAppBundle({ appBundleIdentifier: "arn:aws:appfabric:us-east-1:123456789012:appbundle/00000000-0000-4000-8000-000000000000" }).promise(),
  );
  // The v2 SDK does not check enums client-side: the service's validation answers.
  summary.errors.validation = await failure(
    client
      .createIngestion({ appBundleIdentifier: bundleArn, app: "ASANA", tenantId: "js-tenant", ingestionType: "notAType" })
      .promise(),
  );
  summary.errors.conflict = await failure(client.deleteAppBundle({ appBundleIdentifier: bundleArn }).promise());
  summary.errors.quota = await failure(client.createAppBundle({}).promise());
  summary.errors.deleteUnknownBundle = await failure(
    client.deleteAppBundle({ appBundleIdentifier: "00000000-0000-4000-8000-000000000000" }).promise(),
  );
  // A page token a day old: HTTP 400 InvalidToken, as the model documents.
  const tokenPage = await client.listAppAuthorizations({ appBundleIdentifier: bundleArn, maxResults: 1 }).promise();
  await control("POST", "clock/advance", { seconds: 25 * 3600 });
  summary.errors.expiredToken = await failure(
    client.listAppAuthorizations({ appBundleIdentifier: bundleArn, maxResults: 1, nextToken: tokenPage.nextToken }).promise(),
  );
  await control("POST", "clock/unfreeze", {});

  // -- clean up, in the order AWS requires (every delete answers 204 with no body) ----------------
  const deletes = [];
  deletes.push(
    await client
      .deleteIngestionDestination({
        appBundleIdentifier: bundleArn,
        ingestionIdentifier: ingestion.arn,
        ingestionDestinationIdentifier: destination.arn,
      })
      .promise(),
  );
  await client.stopIngestion({ appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn }).promise();
  deletes.push(await client.deleteIngestion({ appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn }).promise());
  for (const arn of [authArn, second.appAuthorizationArn]) {
    deletes.push(
      await client.deleteAppAuthorization({ appBundleIdentifier: bundleArn, appAuthorizationIdentifier: arn }).promise(),
    );
  }
  deletes.push(await client.deleteAppBundle({ appBundleIdentifier: bundleArn }).promise());
  summary.deleteResults = deletes.map((result) => Object.keys(result).length);
  summary.bundlesAfter = (await client.listAppBundles({}).promise()).appBundleSummaryList.length;
  summary.state = await control("GET", "state");

  process.stdout.write(JSON.stringify(summary) + "\n");
}

main().catch((err) => {
  console.error(`workflow failed: ${err.code || ""} ${err.statusCode || ""} ${err.stack || err}`);
  process.exit(1);
});
