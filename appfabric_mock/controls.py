"""Test controls on the mock handle: reach states that are hard to reach against AWS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from .identity import DEFAULT_REGION, is_account_id

if TYPE_CHECKING:
    import os

    from .access import AccessControl, AccessRule
    from .backend.backend import AppFabricBackend
    from .backend.models import AppAuthorization, Ingestion, IngestionDestination
    from .backend.support import Clock
    from .delivery.models import Delivery
    from .delivery.sinks import Sink
    from .faults import Fault, FaultInjector, Predicate
    from .recording import Call, Calls
    from .state import MockState


class Controls:
    """Mixin of :class:`~appfabric_mock.AppFabricMock`: everything a test can steer."""

    @property
    def state(self) -> "MockState":
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------
    @property
    def clock(self) -> "Clock":
        """The clock every timestamp comes from: ``freeze()``, ``set()``, ``advance()``, ``unfreeze()``.

        It follows ``datetime.now`` (so freezegun and time-machine move it) until a test
        freezes it; it also dates pagination tokens, which expire after 24 hours of it.
        """
        return self.state.settings.clock

    def backend(self, account_id: Optional[str] = None, region: str = DEFAULT_REGION) -> "AppFabricBackend":
        """The in-memory backend of one account and region, for inspection in a test.

        Its layout is internal and may change; prefer :meth:`snapshot` and :meth:`resources`
        in assertions.

        :param account_id: the account (default: the mock's default account).
        :param region: the region (default ``us-east-1``).
        """
        state = self.state
        return state.store.backend(account_id or state.default_account_id, region)

    def reset(self) -> None:
        """Forget every resource in every account and region, and every recorded call.

        Audit-log deliveries (and what the in-memory sink holds) are forgotten too.  Faults,
        denials, users registered with :meth:`add_app_user`, the clock, the delivery sink, the
        account map and the configuration stay.
        """
        state = self.state
        state.reset()
        state.data_plane.reset()

    # -- app authorizations -----------------------------------------------------------
    def _locate_resource(self, arn: str, kind: str, name: str) -> Tuple["AppFabricBackend", Any]:
        """(backend, resource) of an app authorization, ingestion or ingestion destination ARN."""
        from .backend import resources

        parsed = resources.parse_arn(arn)
        if parsed is None or parsed.kind != kind:
            raise ValueError(f"not an {name} ARN: {arn}")
        # A lookup creates no backend; an ARN whose partition is not its region's names nothing.
        backend = None
        if parsed.partition == resources.partition_for(parsed.region):
            backend = self.state.store.find(parsed.account, parsed.region)
        found = resources.locate(backend.bundles, parsed) if backend is not None else None
        if backend is None or found is None:
            raise KeyError(f"no {name} {arn}")
        return backend, found

    def _locate_authorization(self, arn: str) -> Tuple["AppFabricBackend", "AppAuthorization"]:
        return self._locate_resource(arn, "appauthorization", "app authorization")

    def set_authorization_status(self, arn: str, status: str) -> None:
        """Force an app authorization into any status (e.g. ``TokenAutoRotationFailed``).

        ``updatedAt`` moves when the status changes.

        :param arn: the app authorization's ARN.
        :param status: ``PendingConnect``, ``Connected``, ``ConnectionValidationFailed`` or
            ``TokenAutoRotationFailed``.
        :raises ValueError: for another status, or an ARN that is not an app authorization's.
        :raises KeyError: when no such app authorization exists.
        """
        from .backend.authorizations import STATUSES

        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        backend, auth = self._locate_authorization(arn)
        self.state.data_plane.run_due()  # deliveries due under the old status are made first
        with backend.lock:
            if auth.status != status:
                auth.status = status
                auth.updated_at = backend.settings.clock.now()

    def fail_next_connect(self, arn: str, message: str = "The credentials could not be validated") -> None:
        """Make the next ConnectAppAuthorization of ``arn`` fail.

        That call is answered with ``ValidationException`` carrying ``message`` and leaves the
        authorization ``ConnectionValidationFailed``; the connect after it succeeds again.

        :param arn: the app authorization's ARN.
        :param message: the error message the client will see.
        :raises ValueError: for an ARN that is not an app authorization's.
        :raises KeyError: when no such app authorization exists.
        """
        backend, auth = self._locate_authorization(arn)
        with backend.lock:
            auth.connect_failure = message

    # -- ingestion destinations -------------------------------------------------------
    def _locate_destination(self, arn: str) -> Tuple["AppFabricBackend", "IngestionDestination"]:
        return self._locate_resource(arn, "ingestiondestination", "ingestion destination")

    def _locate_ingestion(self, arn: str) -> Tuple["AppFabricBackend", "Ingestion"]:
        return self._locate_resource(arn, "ingestion", "ingestion")

    def set_destination_failed(self, arn: str, reason: str = "The destination is not accepting logs") -> None:
        """Mark a destination ``Failed`` with a ``statusReason`` (as when delivery fails).

        An UpdateIngestionDestination makes it ``Active`` again.

        :param arn: the ingestion destination's ARN.
        :param reason: the ``statusReason`` it reports.
        :raises ValueError: for an ARN that is not an ingestion destination's.
        :raises KeyError: when no such destination exists.
        """
        backend, destination = self._locate_destination(arn)
        self.state.data_plane.run_due()  # what fell due while it was Active is delivered first
        with backend.lock:
            destination.status = "Failed"
            destination.status_reason = reason
            destination.updated_at = backend.settings.clock.now()

    # -- audit-log deliveries (the data plane) ----------------------------------------
    def deliver_audit_logs(
        self,
        ingestion: Any,
        events: Optional[Sequence[Any]] = None,
        count: Optional[int] = None,
        *,
        destination: Any = None,
    ) -> "List[Delivery]":
        """Deliver audit logs of ``ingestion`` now, to each of its destinations that may receive.

        ``events`` are delivered exactly as given (JSON-ready values, one per event; each
        destination gets all of them); without them, ``count`` events (default: the
        ``events_per_delivery`` option) are generated for the ingestion's app and tenant, as
        OCSF or raw per destination, dated within the last minute of the mock's clock.
        Deliveries that fell due on the schedule are made first.

        The same rules as on the schedule apply: nothing is delivered for a stopped
        (``disabled``) ingestion, to a ``Failed`` destination, or while the bundle has no
        ``Connected`` authorization for the app and tenant; the list is then empty.  A
        destination whose bucket or stream does not exist in the sink becomes ``Failed``.

        :param ingestion: the ingestion's ARN (or the ``ingestion`` dict CreateIngestion returns).
        :param destination: only this destination (ARN or dict) of the ingestion.
        :returns: the :class:`~appfabric_mock.delivery.models.Delivery` records made, one per destination.
        :raises ValueError: for an ARN that is not an ingestion's, or a negative ``count``.
        :raises KeyError: when no such ingestion exists.
        :raises TypeError: when ``events`` is not a list of JSON-ready events.
        """
        from .delivery.plane import check_events

        arn = _arn_of(ingestion, "ingestion")
        self._locate_ingestion(arn)
        if events is not None:
            events = check_events(events)
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            raise ValueError("count must be a non-negative int")
        dest_arn = _arn_of(destination, "ingestionDestination") if destination is not None else None
        if dest_arn is not None:
            self._locate_destination(dest_arn)
        return self.state.data_plane.deliver_now(arn, events, count, dest_arn)

    def run_due_deliveries(self) -> "List[Delivery]":
        """Make the deliveries that fell due on the mock's clock now (also done before every call)."""
        return self.state.data_plane.run_due()

    @property
    def deliveries(self) -> "Tuple[Delivery, ...]":
        """Every audit-log delivery made so far, oldest first (those due are made first).

        Each :class:`~appfabric_mock.delivery.models.Delivery` names the destination, the
        bucket and object key or the stream and record ids, and the number of events.
        """
        plane = self.state.data_plane
        plane.run_due()
        return tuple(plane.deliveries)

    def clear_deliveries(self) -> None:
        """Forget the deliveries made so far and what the in-memory sink holds; the schedule goes on."""
        self.state.data_plane.clear()

    @property
    def delivery_sink(self) -> "Sink":
        """Where deliveries go (see :meth:`set_delivery_sink`); in memory by default.

        Reading it makes the deliveries that fell due first, as :attr:`deliveries` does.
        """
        plane = self.state.data_plane
        plane.run_due()
        return plane.sink

    def set_delivery_sink(self, kind: str = "memory", *, endpoint_url: Optional[str] = None,
                          path: Optional[str] = None, session: Any = None) -> "Sink":
        """Choose where audit logs are delivered.

        * ``"memory"`` (the default): kept on the handle; read them with :meth:`delivered_events`.
        * ``"boto3"``: put to the S3 buckets and Firehose streams that boto3 reaches: moto's
          ``mock_aws`` active in the same process, or the ``endpoint_url`` you give (MinIO,
          LocalStack).  Without ``endpoint_url`` it never delivers while moto is not active:
          nothing is ever sent to AWS.  A missing bucket or stream makes the destination ``Failed``.
        * ``"directory"``: files under ``path`` (``s3/<bucket>/<key>``, ``firehose/<stream>/...``).

        :raises ValueError: for an unknown kind or options it does not take.
        :raises appfabric_mock.delivery.sinks.DeliveryRefused: for ``"boto3"`` without
            ``endpoint_url`` while moto is not active.
        """
        from .delivery.sinks import make_sink

        sink = make_sink(kind, endpoint_url=endpoint_url, path=None if path is None else str(path), session=session)
        self.state.data_plane.sink = sink
        return sink

    def delivered_events(self, destination: Any = None) -> List[Any]:
        """The events delivered so far (to ``destination`` only, if given), read back from the sink.

        JSON lines and Parquet objects are decoded (Parquet needs pyarrow); Firehose records
        are read back from the memory sink.  Oldest delivery first.

        :raises ValueError: for Firehose deliveries through the boto3 sink (read them where
            your stream delivers them).
        """
        from .delivery import formats

        dest_arn = _arn_of(destination, "ingestionDestination") if destination is not None else None
        sink = self.state.data_plane.sink
        events: List[Any] = []
        for delivery in self.deliveries:
            if dest_arn is not None and delivery.destination_arn != dest_arn:
                continue
            if delivery.key is not None:
                body = _read_object(sink, delivery.bucket or "", delivery.key)
                events.extend(formats.read_parquet(body) if delivery.format == "parquet"
                              else formats.read_json_lines(body))
            else:
                records = getattr(sink, "get_records", None)
                if records is None:
                    raise ValueError(f"the {sink.name} sink cannot read Firehose records back")
                wanted = set(delivery.record_ids)
                events.extend(formats.read_json_lines(r.data)[0] for r in records(delivery.stream or "")
                              if r.record_id in wanted)
        return events

    # -- user access ------------------------------------------------------------------
    def add_app_user(
        self,
        *,
        app: str,
        tenant_id: str,
        email: str,
        user_id: Optional[str] = None,
        first_name: Optional[str] = None,
        last_name: Optional[str] = None,
        status: Optional[str] = "Active",
    ) -> None:
        """Register a user of ``app`` in ``tenant_id``: user access tasks will find them.

        StartUserAccessTasks looks the user up by e-mail address (case-insensitively) for each
        ``Connected`` authorization of that app and tenant; BatchGetUserAccessTasks then reports
        the details given here.  Registering the same address again replaces the user.  Users
        belong to the mock, not to an account or region, and survive :meth:`reset`.

        :param app: the ``app`` of the authorization, e.g. ``"SLACK"``.
        :param tenant_id: its ``tenantIdentifier``.
        :param email: the address StartUserAccessTasks is called with.
        :param user_id: ``userId`` in the task result.
        :param first_name: ``userFirstName`` (and part of ``userFullName``).
        :param last_name: ``userLastName`` (and part of ``userFullName``).
        :param status: ``userStatus`` (default ``"Active"``).
        """
        from .backend.models import AppUser

        user = AppUser(app, tenant_id, email, user_id, first_name, last_name, status)
        settings = self.state.settings
        with settings.lock:
            settings.app_users[(app, tenant_id, email.lower())] = user

    def complete_user_access_tasks(self, task_ids: Optional[Iterable[str]] = None) -> int:
        """Complete user access tasks that are still ``IN_PROGRESS`` at once; return how many.

        Each looks its user up now, as it would when it completes by itself (see
        :meth:`add_app_user`), and the next BatchGetUserAccessTasks reports ``COMPLETED``.

        :param task_ids: the task ids (default: every task of every account and region).
        :raises TypeError: when ``task_ids`` is a single string rather than a list.
        """
        return self._finish_tasks(task_ids, "COMPLETED", None)

    def fail_user_access_tasks(
        self,
        task_ids: Optional[Iterable[str]] = None,
        *,
        error_code: str = "AppServiceUnavailable",
        error_message: str = "The application did not answer",
    ) -> int:
        """End user access tasks that are still ``IN_PROGRESS`` as ``FAILED``; return how many.

        BatchGetUserAccessTasks then reports ``resultStatus`` ``FAILED`` with a ``taskError`` of
        ``error_code`` and ``error_message`` (AWS publishes no codes; the defaults are the mock's).

        :param task_ids: the task ids (default: every task of every account and region).
        :raises TypeError: when ``task_ids`` is a single string rather than a list.
        :raises ValueError: when ``error_code`` or ``error_message`` is not a non-empty string.
        """
        for name, value in (("error_code", error_code), ("error_message", error_message)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
        return self._finish_tasks(task_ids, "FAILED", {"errorCode": error_code, "errorMessage": error_message})

    def _finish_tasks(self, task_ids: Optional[Iterable[str]], status: str, error: Optional[Dict[str, str]]) -> int:
        if isinstance(task_ids, str):
            raise TypeError("task_ids must be a list of task ids, not one string")
        wanted = None if task_ids is None else set(task_ids)
        finished = 0
        for _, backend in self.state.store.items():
            with backend.lock:
                for task in list(backend.tasks.values()):
                    if wanted is None or task.id in wanted:
                        # Time passes first: a task past its lifetime is expired, not finished now.
                        backend._advance_task(task, backend.settings.clock.now(), polled=False)
                        finished += backend.finish_task(task, status, error)
        return finished

    # -- snapshots --------------------------------------------------------------------
    def snapshot(self, json: bool = False) -> Dict[str, Any]:
        """The whole state as plain data: accounts, regions, resources, tags, tasks.

        Timestamps are ``datetime`` objects equal to those a client receives (UTC, whole
        milliseconds), so they compare with what boto3 returns; with ``json=True`` they are
        AWS's ISO-8601 strings and the whole snapshot is JSON-ready (the control API's form).
        No credential is ever kept, and e-mail addresses and user names are left out.  Still
        readable after the mock stops, as :attr:`calls` are.
        """
        from .snapshot import snapshot

        return snapshot(self._recorded_state(), json)

    def resources(self, json: bool = False) -> List[Dict[str, Any]]:  # convenience for asserts
        """Every resource of every account and region, flat, in creation order, each with a ``type``.

        Timestamps as in :meth:`snapshot` (``json=True``: ISO-8601 strings).  Still readable
        after the mock stops, as :attr:`calls` are.
        """
        from .snapshot import flat_resources

        return flat_resources(self._recorded_state(), json)

    # -- saving and loading -------------------------------------------------------------
    def save(self, path: "Optional[Union[str, os.PathLike[str]]]" = None) -> str:
        """Write the whole state to ``path`` (default: the ``state_file``) atomically; returns the path.

        Resources, tasks, idempotency tokens, the clock, registered users, the account map,
        access rules and the configuration are saved; recorded calls and faults are not.  The
        key of the idempotency digests goes to ``path + ".key"`` unless it is the user's
        (``state_key``, ``APPFABRIC_MOCK_STATE_KEY``): see :mod:`appfabric_mock.persistence`.

        :raises ValueError: without ``path`` when the mock has no state file.
        """
        from .persistence import save

        state = self.state
        if path is None:
            if state.state_file is None:
                raise ValueError("save(): give a path (this mock has no state_file)")
            path = state.state_file.path
        return save(state, path)

    def load(self, path: "Optional[Union[str, os.PathLike[str]]]" = None, *, key: Optional[str] = None) -> None:
        """Replace the whole state with the one saved in ``path`` (default: the ``state_file``).

        :param key: the key the file's digests were made with, when it is not in ``path + ".key"``
            (default: ``APPFABRIC_MOCK_STATE_KEY``).
        :raises ~appfabric_mock.persistence.StateFileError: for a missing, damaged or newer file,
            or the wrong key (the state is then unchanged).
        """
        from .persistence import load

        state = self.state
        if path is None:
            if state.state_file is None:
                raise ValueError("load(): give a path (this mock has no state_file)")
            state.state_file.load()
            return
        load(state, path, key)

    # -- accounts -----------------------------------------------------------------------
    def map_access_key(self, access_key_id: str, account_id: str) -> None:
        """Answer calls signed with ``access_key_id`` from account ``account_id`` (12 digits).

        :raises ValueError: for an account id that is not 12 digits, or an empty access key id.
        """
        if not is_account_id(account_id):
            raise ValueError(f"map_access_key: account id must be 12 digits, not {account_id!r}")
        if not isinstance(access_key_id, str) or not access_key_id:
            raise ValueError("map_access_key: access_key_id must be a non-empty string")
        self.state.accounts[access_key_id] = account_id

    # -- fault injection ----------------------------------------------------------------
    def _fault_injector(self) -> "FaultInjector":
        state = self.state
        with state.settings.lock:
            if state.faults is None:
                from .faults import FaultInjector

                state.faults = FaultInjector(state.settings.ids.seed)
                state.pre_backend_guards.append(state.faults.guard)
            return state.faults

    def inject_fault(
        self,
        operation: str,
        error: Union[str, type],
        *,
        times: Optional[int] = None,
        message: Optional[str] = None,
        retry_after: Optional[int] = None,
        when: "Optional[Predicate]" = None,
        probability: Optional[float] = None,
        members: Optional[Mapping[str, Any]] = None,
    ) -> "Fault":
        """Answer calls of ``operation`` (``"*"``: every operation) with the modelled error ``error``.

        ``operation`` is spelt as in the API reference (``GetAppBundle``) or as boto3's method
        (``get_app_bundle``); ``error`` is an error name (``"ThrottlingException"``) or boto3's
        class of it (``client.exceptions.ThrottlingException``).

        * ``times``: answer only the next ``times`` matching calls (default: every one).
        * ``message``: the error message (default: a generic AWS-like one; for
          ServiceQuotaExceededException from a Create, AWS's text for that quota).
        * ``retry_after``: seconds for the ``Retry-After`` header (ThrottlingException and
          InternalServerException only).
        * ``when``: a predicate on the call's validated parameters, e.g.
          ``when=lambda params: params.get("app") == "SLACK"``.
        * ``probability``: fire on this share of matching calls, drawn from a generator seeded
          by the mock's ``seed`` (reproducible when the mock is seeded).
        * ``members``: other members of the error shape by their model names, e.g.
          ``{"quotaCode": "L-1234"}``; required members left out get defaults from the request.

        The error is checked against the model now: an unknown code, an error the operation's
        model does not list (with ``"*"``: one that not every operation lists, so only
        AccessDeniedException, InternalServerException, ThrottlingException and
        ValidationException), an unknown operation or a member the shape lacks is a ValueError
        naming what is allowed.  Faults hit only requests that pass validation,
        and a faulted call never reaches the backend.  Returns the :class:`~appfabric_mock.faults.Fault`
        (``hits``, ``remaining``, ``cancel()``).

        A fault that never fired is reported when the mock stops (unless the test cancelled
        it): an :class:`~appfabric_mock.AppFabricMockWarning` pointing at this call, or an
        AssertionError with the option ``unfired_faults="error"``.  With ``times=N`` it must
        answer N calls; without ``times``, at least one; with ``probability``, at least one
        call must reach its draw (losing every draw is not reported).  A ``when`` fault
        fires only for the calls its predicate accepts.  Nothing is reported when the block
        or test ends with an exception of its own.
        """
        from .sites import user_site

        fault = self._fault_injector().add(
            operation, error, times=times, message=message, retry_after=retry_after, when=when,
            probability=probability, members=members,
        )
        fault.site = user_site()
        return fault

    def clear_faults(self) -> None:
        """Stop injecting every fault."""
        faults = self.state.faults
        if faults is not None:
            faults.clear()

    @property
    def faults(self) -> "List[Fault]":
        """The injected faults still active, in injection order."""
        faults = self.state.faults
        return faults.faults if faults is not None else []

    # -- access control -----------------------------------------------------------------
    def _access(self) -> "AccessControl":
        state = self.state
        with state.settings.lock:
            if state.access is None:
                from .access import AccessControl

                state.access = AccessControl()
                state.pre_validation_guards.append(state.access.guard)
            return state.access

    def deny(self, action: str, access_key_ids: Optional[Iterable[str]] = None) -> "AccessRule":
        """Answer ``action`` with AccessDeniedException (HTTP 403), as an explicit IAM deny would.

        ``action`` is an IAM action such as ``"appfabric:DeleteAppBundle"``; ``*`` and ``?`` are
        wildcards (``"appfabric:Delete*"``, ``"appfabric:*"``).  ``access_key_ids`` limits the
        rule to callers signing with those keys (default: every caller).  The last rule that
        matches a call decides; see :meth:`allow`.

        The check runs before the request is validated, as IAM's does.  Returns the
        :class:`~appfabric_mock.access.AccessRule` added.

        :raises ValueError: when ``action`` is not ``appfabric:...`` or matches no AppFabric action.
        :raises TypeError: when ``access_key_ids`` is a single string rather than a list.
        """
        return self._access().add(action, "Deny", access_key_ids)

    def allow(self, action: str, access_key_ids: Optional[Iterable[str]] = None) -> "AccessRule":
        """Allow ``action`` again, overriding earlier :meth:`deny` rules it overlaps.

        ``deny("appfabric:*")`` then ``allow("appfabric:List*")`` leaves only the List operations.
        Takes the same arguments, and raises the same errors, as :meth:`deny`.
        """
        return self._access().add(action, "Allow", access_key_ids)

    def clear_denials(self) -> None:
        """Remove every deny and allow rule: every caller may do everything again."""
        access = self.state.access
        if access is not None:
            access.clear()

    # -- recorded calls -----------------------------------------------------------------
    def _recorded_state(self) -> "MockState":
        # What a test reads after a `with` block (calls, resources, snapshots) stays readable
        # after the mock stops: the state it last joined.
        last = getattr(self, "_last_state", None)
        try:
            return self.state
        except RuntimeError:
            if last is None:
                raise
            return last  # type: ignore[no-any-return]

    @property
    def calls(self) -> "Calls":
        """Every AppFabric call answered so far, oldest first, secrets redacted (an immutable tuple).

        Each :class:`~appfabric_mock.recording.Call` has ``operation``, ``params``, ``status``,
        ``error_code``, ``response``, ``account_id``, ``region``, ``access_key_id``, ``method``
        and ``path``.  Still readable after the mock stops.
        """
        return self._recorded_state().recorder.calls()

    def calls_to(self, operation: str) -> "List[Call]":
        """The recorded calls of one operation, oldest first.

        :param operation: the operation's name, as in the API reference (``CreateAppBundle``)
            or as boto3 spells its method (``create_app_bundle``).
        :raises ValueError: when ``operation`` is not an AppFabric operation name.
        """
        from .protocol.compiled import operation_name

        name = operation_name(operation)
        return [c for c in self.calls if c.operation == name]

    @property
    def last_call(self) -> "Optional[Call]":
        """The most recent recorded call, or None."""
        calls = self.calls
        return calls[-1] if calls else None

    def assert_called(self, operation: str, times: Optional[int] = None) -> "List[Call]":
        """Assert that ``operation`` was called (exactly ``times`` times if given); return those calls.

        ``operation`` is spelt as in the API reference (``CreateAppBundle``) or as boto3's
        method (``create_app_bundle``).  The AssertionError lists every call actually made,
        with its status.

        :raises AssertionError: when the operation was not called (the expected number of times).
        :raises ValueError: when ``operation`` is not an AppFabric operation name (a typo).
        """
        from .recording import assert_called

        return assert_called(self.calls, operation, times)

    def assert_not_called(self, operation: str) -> None:
        """Assert that ``operation`` was never called (the AssertionError lists the calls made)."""
        from .recording import assert_not_called

        assert_not_called(self.calls, operation)

    def assert_called_with(self, operation: str, /, *, partial: bool = False, **params: Any) -> "Call":
        """Assert that the last call of ``operation`` had these parameters; return that call.

        As ``unittest.mock``'s method of that name: the most recent call is the one compared.
        Parameters go by their model names, as boto3 takes them (``appBundleIdentifier=...``).
        Without ``partial``, the call's parameters must be exactly these, so include those
        botocore adds (``clientToken`` of a Create: match it with :data:`unittest.mock.ANY`);
        with ``partial=True``, only the parameters given are compared.  Values compare with
        ``==``, so ``unittest.mock.ANY`` (or any object with an ``__eq__``) matches freely.

        Secrets are redacted in recorded calls (:data:`~appfabric_mock.recording.REDACTED`):
        an API key or client secret can never be matched, and the AssertionError says so.

        :raises AssertionError: when the operation was never called or its last call differs
            (the message shows each difference and the calls made).
        :raises ValueError: when ``operation`` is not an AppFabric operation name.
        """
        from .recording import assert_called_with

        return assert_called_with(self.calls, operation, params, partial=partial, last=True)

    def assert_any_call(self, operation: str, /, *, partial: bool = False, **params: Any) -> "Call":
        """Assert that some call of ``operation`` had these parameters; return the first such call.

        Takes the same arguments as :meth:`assert_called_with`, which compares the last call only.
        """
        from .recording import assert_called_with

        return assert_called_with(self.calls, operation, params, partial=partial, last=False)

    def clear_calls(self) -> None:
        """Forget the recorded calls (resources stay)."""
        self._recorded_state().recorder.clear()

def _arn_of(resource: Any, key: str) -> str:
    """An ARN given as a string, or the ARN of a resource dict as boto3 returns it."""
    if isinstance(resource, Mapping):
        inner = resource.get(key, resource)
        arn = inner.get("arn") if isinstance(inner, Mapping) else None
        if isinstance(arn, str):
            return arn
        raise ValueError(f"no 'arn' in the {key} given")
    if not isinstance(resource, str):
        raise ValueError(f"give the {key} as an ARN string, not {type(resource).__name__}")
    return resource


def _read_object(sink: Any, bucket: str, key: str) -> bytes:
    reader = getattr(sink, "get_object", None)
    if reader is None:
        raise ValueError(f"the {sink.name} sink cannot read objects back")
    return reader(bucket, key)  # type: ignore[no-any-return]
