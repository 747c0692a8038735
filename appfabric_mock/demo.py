"""A realistic AppFabric workflow against the mock, narrated step by step."""

from __future__ import annotations

from typing import Any, Callable

_SECRET = "demo-api-key-never-shown"


def run(echo: Callable[[str], Any] = print) -> int:
    """Set up audit-log ingestion for Okta and Terraform Cloud, then look a user up."""
    import boto3
    from botocore.exceptions import ClientError

    from . import mock_appfabric

    with mock_appfabric(seed=2023, now="2024-06-01T09:00:00Z") as m:
        client = boto3.client("appfabric", region_name="us-east-1")
        bundle = client.create_app_bundle(tags=[{"key": "team", "value": "security"}])["appBundle"]["arn"]
        echo(f"1. created app bundle {bundle}")

        okta = client.create_app_authorization(
            appBundleIdentifier=bundle,
            app="OKTA",
            authType="oauth2",
            credential={"oauth2Credential": {"clientId": "0oa-demo-client", "clientSecret": _SECRET}},
            tenant={"tenantIdentifier": "dev-22002358.okta.com", "tenantDisplayName": "Okta (dev)"},
        )["appAuthorization"]
        echo(f"2. Okta authorization {okta['status']}; admin consent at {okta['authUrl'].split('?')[0]}")

        tfc = client.create_app_authorization(
            appBundleIdentifier=bundle,
            app="TERRAFORMCLOUD",
            authType="apiKey",
            credential={"apiKeyCredential": {"apiKey": _SECRET}},
            tenant={"tenantIdentifier": "https://app.terraform.io/app/demo", "tenantDisplayName": "TFC"},
        )["appAuthorization"]
        echo(f"3. Terraform Cloud authorization {tfc['status']}")

        consent = {"redirectUri": "https://us-east-1.console.aws.amazon.com/appfabric/oauth2", "code": "consent-code"}
        for auth, request in ((okta, {"authRequest": consent}), (tfc, {})):
            summary = client.connect_app_authorization(
                appBundleIdentifier=bundle, appAuthorizationIdentifier=auth["appAuthorizationArn"], **request
            )["appAuthorizationSummary"]
            echo(f"4. connected {summary['app']}: {summary['status']}")

        ingestion = client.create_ingestion(
            appBundleIdentifier=bundle, app="OKTA", tenantId="dev-22002358.okta.com", ingestionType="auditLog"
        )["ingestion"]
        echo(f"5. ingestion for Okta audit logs is {ingestion['state']}")
        destination = client.create_ingestion_destination(
            appBundleIdentifier=bundle,
            ingestionIdentifier=ingestion["arn"],
            processingConfiguration={"auditLog": {"schema": "ocsf", "format": "json"}},
            destinationConfiguration={
                "auditLog": {"destination": {"s3Bucket": {"bucketName": "audit-logs", "prefix": "okta/"}}}
            },
        )["ingestionDestination"]
        echo(f"6. delivering OCSF/JSON to s3://audit-logs/okta/: destination {destination['status']}")

        m.add_app_user(app="OKTA", tenant_id="dev-22002358.okta.com", email="jane@example.com",
                       user_id="00u1", first_name="Jane", last_name="Doe", status="ACTIVE")
        tasks = client.start_user_access_tasks(appBundleIdentifier=bundle, email="jane@example.com")
        ids = [t["taskId"] for t in tasks["userAccessTasksList"] if "taskId" in t]
        # The tasks run asynchronously, as on AWS: poll until none is in progress.
        polls = 0
        while polls < 10:
            polls += 1
            results = client.batch_get_user_access_tasks(appBundleIdentifier=bundle, taskIdList=ids)
            if all(r["resultStatus"] != "IN_PROGRESS" for r in results["userAccessResultsList"]):
                break
        for result in results["userAccessResultsList"]:
            found = "found" if "userId" in result else result.get("taskError", {}).get("errorCode", "?")
            echo(f"7. user access in {result['app']}: {result['resultStatus']} after {polls} polls ({found})")

        # The data plane: once the clock passes a delivery time (every 30 minutes), the ingestion
        # delivers audit logs where AppFabric puts them, with the registered users as actors.
        m.clock.advance(minutes=30)
        [delivery] = m.deliveries
        echo(f"8. 30 minutes later, {delivery.event_count} OCSF events in s3://{delivery.bucket}/{delivery.key}")
        first = m.delivered_events()[0]
        echo(f"   first event: {first['type_name']} by {first['user']['email_addr']} "
             f"({first['metadata']['product']['name']}, event code {first['metadata']['event_code']})")

        updated = client.update_app_authorization(
            appBundleIdentifier=bundle,
            appAuthorizationIdentifier=tfc["appAuthorizationArn"],
            credential={"apiKeyCredential": {"apiKey": _SECRET + "-rotated"}},
        )["appAuthorization"]
        echo(f"9. rotated the Terraform Cloud API key: status back to {updated['status']}")

        try:
            client.delete_app_bundle(appBundleIdentifier=bundle)
        except ClientError as error:
            echo(f"10. deleting the bundle too early: {error.response['Error']['Code']}")

        client.delete_ingestion_destination(appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"],
                                            ingestionDestinationIdentifier=destination["arn"])
        client.delete_ingestion(appBundleIdentifier=bundle, ingestionIdentifier=ingestion["arn"])
        for auth in (okta, tfc):
            client.delete_app_authorization(appBundleIdentifier=bundle,
                                            appAuthorizationIdentifier=auth["appAuthorizationArn"])
        client.delete_app_bundle(appBundleIdentifier=bundle)
        echo(f"11. torn down in order; bundles left: {len(client.list_app_bundles()['appBundleSummaryList'])}")
    return 0
