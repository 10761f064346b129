#!/usr/bin/env python3
"""The Python baseline of the engine benchmarks: an aiohttp client in the style of vLLM's
benchmark (benchmarks/backend_request_func.py: one ClientSession, `async for line in
response.content`, json.loads per line, perf_counter stamps). Driven by bench/lib/child.ts with the
same job JSON as bench/lib/client-child.ts (env BENCH_JOB) and writing the same result shape.

Needs Debian's python3-aiohttp (apt-get install -y python3-aiohttp); run with /usr/bin/python3.
Unlike vLLM, only a non-empty delta.content counts as a token (vLLM also counts the role-only first
chunk), so its TTFT means the same thing as the engine's.
"""
import asyncio
import json
import os
import resource
import time

import aiohttp


async def main() -> None:
    job = json.loads(os.environ["BENCH_JOB"])
    url = job["baseUrl"] + "/v1/chat/completions"
    stream = job["stream"]
    keep = job["record"] == "full"
    tag = f"{os.getpid():x}-{int(time.time() * 1000):x}"
    payload = {
        "model": "bench-model",
        "messages": [{"role": "user", "content": "Say something about streaming benchmarks."}],
        "stream": stream,
    }
    if stream:
        payload["stream_options"] = {"include_usage": True}

    state = {"ok": 0, "failed": 0, "events": 0, "started": 0}
    errors: dict = {}
    records: list = []

    timeout = aiohttp.ClientTimeout(total=6 * 60 * 60)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def one(rid: str, record: bool) -> None:
            ttft = None
            last = 0.0
            itl = []
            n = 0
            headers = {"x-request-id": rid}
            st = time.perf_counter()
            st_epoch = time.time() * 1000
            try:
                async with session.post(url=url, json=payload, headers=headers) as response:
                    if response.status != 200:
                        await response.read()
                        raise RuntimeError(f"http_{response.status}")
                    if not stream:
                        data = await response.json()
                        content = data["choices"][0]["message"]["content"]
                        ttft = time.perf_counter() - st
                        n = 1
                    else:
                        async for chunk_bytes in response.content:
                            chunk_bytes = chunk_bytes.strip()
                            if not chunk_bytes:
                                continue
                            chunk = chunk_bytes.decode("utf-8").removeprefix("data: ")
                            state["events"] += 1
                            if chunk != "[DONE]":
                                timestamp = time.perf_counter()
                                data = json.loads(chunk)
                                if choices := data.get("choices"):
                                    content = choices[0]["delta"].get("content")
                                    if not content:
                                        continue
                                    if ttft is None:
                                        ttft = timestamp - st
                                    else:
                                        itl.append((timestamp - last) * 1000)
                                    last = timestamp
                                    n += 1
                state["ok"] += 1
                if record:
                    records.append({"id": rid, "ok": True, "ttft": ttft * 1000 if ttft is not None else None, "t0": st_epoch, "n": n, "itl": itl})
            except Exception as e:  # noqa: BLE001 - every failure is counted by kind
                state["failed"] += 1
                code = str(e)[:40] or type(e).__name__
                errors[code] = errors.get(code, 0) + 1
                if record:
                    records.append({"id": rid, "ok": False, "error": code, "n": n, "itl": itl})

        async def run(concurrency: int, requests, duration_ms, record: bool) -> float:
            t0 = time.perf_counter()
            until = t0 + duration_ms / 1000 if duration_ms is not None else float("inf")

            async def worker() -> None:
                while (requests is None or state["started"] < requests) and time.perf_counter() < until:
                    state["started"] += 1
                    await one(f"py-{tag}-{state['started']}", record)

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return (time.perf_counter() - t0) * 1000

        if job.get("warmup", 0) > 0:
            await run(min(job["concurrency"], 16), job["warmup"], None, False)
            state.update(ok=0, failed=0, events=0, started=0)
            errors.clear()
        wall_ms = await run(job["concurrency"], job.get("requests"), job.get("durationMs"), keep)

    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for r in records:
        if r.get("ttft") is None:
            r.pop("ttft", None)
    result = {
        "client": "aiohttp",
        "wallMs": wall_ms,
        "ok": state["ok"],
        "failed": state["failed"],
        "errors": errors,
        "events": state["events"],
        "records": records,
        "rssPeakBytes": rss_peak,
        "gc": {"count": 0, "totalMs": 0, "maxMs": 0, "minor": 0, "major": 0},
    }
    with open(job["out"], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    asyncio.run(main())
