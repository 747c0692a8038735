"""What the decorator wraps: partials, callable objects, methods, and generator functions (sync and async)."""

from __future__ import annotations

import asyncio
import functools
import inspect
from typing import Any, AsyncIterator, Iterator, List

import pytest

from appfabric_mock import current_mock, mock_appfabric


async def _active_async(tag: str) -> str:
    await asyncio.sleep(0)
    return f"{tag}:{current_mock() is not None}"


class _AsyncCallable:
    async def __call__(self, tag: str) -> str:
        return await _active_async(tag)


class _Methods:
    async def method(self, tag: str) -> str:
        return await _active_async(tag)

    @staticmethod
    async def static(tag: str) -> str:
        return await _active_async(tag)

    @classmethod
    async def klass(cls, tag: str) -> str:
        return await _active_async(tag)


@pytest.mark.parametrize("target", [
    functools.partial(_active_async),
    functools.partial(functools.partial(_active_async)),
    _AsyncCallable(),
    functools.partial(_AsyncCallable()),
    _Methods().method,
    _Methods.static,
    _Methods.klass,
], ids=["partial", "partial of partial", "callable object", "partial of callable object", "bound method",
        "static method", "class method"])
def test_every_async_callable_gets_an_async_wrapper_that_runs_mocked(target: Any) -> None:
    decorated = mock_appfabric(target)
    assert inspect.iscoroutinefunction(decorated)
    assert asyncio.run(decorated("t")) == "t:True"
    assert current_mock() is None


def test_static_and_class_methods_decorated_in_the_class_body() -> None:
    class Service:
        @mock_appfabric
        @staticmethod
        async def static(tag: str) -> str:
            return await _active_async(tag)

        @mock_appfabric
        @classmethod
        async def klass(cls, tag: str) -> str:
            return await _active_async(f"{cls.__name__}.{tag}")

    assert asyncio.run(Service.static("s")) == "s:True"
    assert asyncio.run(Service().klass("c")) == "Service.c:True"


def test_a_sync_callable_object_stays_sync() -> None:
    class Callable:
        def __call__(self) -> bool:
            return current_mock() is not None

    decorated = mock_appfabric(Callable())
    assert not inspect.iscoroutinefunction(decorated)
    assert decorated() is True


# -- generators ---------------------------------------------------------------------------------


def test_a_generator_is_mocked_for_its_whole_life() -> None:
    @mock_appfabric
    def bundles(count: int) -> Iterator[bool]:
        for _ in range(count):
            yield current_mock() is not None
        return None

    assert inspect.isgeneratorfunction(bundles)
    generator = bundles(3)
    assert current_mock() is None  # creating it starts nothing
    assert next(generator) is True
    assert current_mock() is not None  # active between steps: the generator's state lives in it
    assert list(generator) == [True, True]
    assert current_mock() is None  # exhausted: stopped


def test_a_generator_keeps_one_state_across_steps_and_stops_on_close() -> None:
    import boto3

    @mock_appfabric
    def arns() -> Iterator[str]:
        client = boto3.client("appfabric", region_name="us-east-1")
        arn = client.create_app_bundle()["appBundle"]["arn"]
        yield arn
        yield client.list_app_bundles()["appBundleSummaryList"][0]["arn"]
        yield "never"

    generator = arns()
    assert next(generator) == next(generator)
    generator.close()
    assert current_mock() is None


def test_a_generator_gets_sent_and_thrown_values_and_stops_on_an_exception() -> None:
    seen: List[Any] = []

    @mock_appfabric
    def echo() -> Iterator[Any]:
        try:
            while True:
                seen.append((yield len(seen)))
        except KeyError as exc:
            seen.append(f"caught {exc}")
            yield "recovered"
            raise ValueError("from the generator") from None

    generator = echo()
    assert next(generator) == 0
    assert generator.send("a") == 1
    assert generator.throw(KeyError("k")) == "recovered"
    with pytest.raises(ValueError, match="from the generator"):
        next(generator)
    assert seen == ["a", "caught 'k'"]
    assert current_mock() is None


def test_an_async_generator_is_mocked_for_its_whole_life() -> None:
    @mock_appfabric
    async def ticks(count: int) -> AsyncIterator[bool]:
        for _ in range(count):
            await asyncio.sleep(0)
            yield current_mock() is not None

    assert inspect.isasyncgenfunction(ticks)

    async def main() -> List[Any]:
        values = [value async for value in ticks(3)]
        return [values, current_mock() is None]

    assert asyncio.run(main()) == [[True, True, True], True]


def test_an_async_generator_gets_asend_athrow_and_aclose() -> None:
    seen: List[Any] = []

    @mock_appfabric
    async def echo() -> AsyncIterator[Any]:
        try:
            while True:
                seen.append((yield len(seen)))
        except KeyError:
            seen.append("caught")
            yield "recovered"
        finally:
            seen.append(f"closing, mocked: {current_mock() is not None}")

    async def main() -> None:
        generator = echo()
        assert await generator.__anext__() == 0
        assert await generator.asend("a") == 1
        assert await generator.athrow(KeyError("k")) == "recovered"
        await generator.aclose()
        assert current_mock() is None

        failing = echo()
        await failing.__anext__()
        with pytest.raises(StopAsyncIteration):
            await failing.athrow(KeyError("again"))  # caught, yields, ... then asked to go on
            await failing.__anext__()

    asyncio.run(main())
    assert seen[:3] == ["a", "caught", "closing, mocked: True"]
    assert current_mock() is None
