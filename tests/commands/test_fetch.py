"""Tests of ``staffing fetch`` and ``staffing history`` against the fake server over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from staffing.cli import main
from staffing.sources.liveperson.credentials import ENV_VARS
from staffing.sources.store import HistoryStore
from tests.sources.liveperson_support import NOW, SECRETS


def _fetch_args(server, store, *extra) -> list[str]:
    return [
        "fetch",
        "--account",
        server.account,
        "--domain-api",
        server.domain_api,
        "--store",
        str(store),
        "--until",
        NOW.isoformat(),
        *extra,
    ]


def _no_secret(*texts: str) -> None:
    for secret in SECRETS:
        for text in texts:
            assert secret not in text


def test_fetch_prints_progress_and_summary_and_stores_the_truth(tmp_path, lp, lp_env, capsys):
    store = tmp_path / "h.sqlite"
    status = main(_fetch_args(lp, store, "--weeks", "2", "--skills", "15,11"))
    out, err = capsys.readouterr()
    assert status == 0
    # 2 skills x 14 days x 24 hours = 672 rows, 336 hourly intervals, 2 week windows.
    assert out.strip() == (
        f"fetched into {store}: 2 skills, 336 intervals in 2 windows: "
        "672 rows new, 0 updated (3 requests, 0 retries)"
    )
    assert "NHT" in err and "page" in err  # the tqdm bar went to stderr
    _no_secret(out, err)
    end = NOW.floor("60min")
    pd.testing.assert_frame_equal(
        HistoryStore(store).read(lp.account),
        lp.ground_truth(end - pd.Timedelta(weeks=2), end, skill_ids=[11, 15]),
    )
    assert {r.params["skillIds"] for r in lp.nht_requests()} == {"11,15"}


def test_fetch_without_credentials_names_the_missing_variables(tmp_path, lp, monkeypatch, capsys):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LP_APP_KEY", SECRETS[0])
    status = main(_fetch_args(lp, tmp_path / "h.sqlite", "--weeks", "1"))
    _, err = capsys.readouterr()
    assert status == 2
    assert "LP_APP_SECRET, LP_ACCESS_TOKEN, LP_ACCESS_TOKEN_SECRET" in err
    _no_secret(err)
    assert lp.requests == []


def test_fetch_with_a_wrong_secret_fails_cleanly(tmp_path, lp, lp_env, monkeypatch, capsys):
    monkeypatch.setenv("LP_APP_SECRET", "not-the-secret-00000000000000000")
    store = tmp_path / "h.sqlite"
    status = main(_fetch_args(lp, store, "--weeks", "1", "--quiet"))
    out, err = capsys.readouterr()
    assert status == 1
    assert "HTTP 401" in err and "rejected the API key" in err
    _no_secret(out, err, "not-the-secret-00000000000000000")
    assert not store.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--weeks", "10"], "from 1 to 9"),
        (["--skills", "1,x"], "skill id 'x'"),
        (["--interval", "20"], "invalid choice"),
        (["--until", "2026-11-26T09:00"], "with a zone"),
    ],
)
def test_fetch_rejects_bad_options_before_any_request(tmp_path, lp, lp_env, capsys, extra, message):
    with pytest.raises(SystemExit) as info:
        main(_fetch_args(lp, tmp_path / "h.sqlite", *extra))
    assert info.value.code == 2
    assert message in capsys.readouterr().err
    assert lp.requests == []


def test_history_prints_a_local_time_summary_and_exports_csv(tmp_path, lp, lp_env, capsys):
    store = tmp_path / "h.sqlite"
    assert main(_fetch_args(lp, store, "--weeks", "1", "--quiet")) == 0
    capsys.readouterr()
    assert main(["history", "--store", str(store), "--tz", "Europe/Berlin", "--skills", "12"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 2 and "skill_id" in lines[0]
    # First hour 2026-11-19 09:00 UTC is 10:00 in Berlin (CET, UTC+1 in November); the last
    # stored hour 2026-11-26 08:00 UTC is 09:00 local.
    assert "2026-11-19 10:00 +0100" in lines[1] and "2026-11-26 09:00 +0100" in lines[1]
    # 7 days x 24 hours.
    assert " 168 " in lines[1]

    assert (
        main(["history", "--store", str(store), "--tz", "Asia/Kolkata", "--skills", "11", "--all"])
        == 0
    )
    rows = capsys.readouterr().out.strip().splitlines()
    # Header + 168 hours; India is UTC+05:30, so 09:00Z is 14:30 local.
    assert len(rows) == 1 + 168
    assert "2026-11-19 14:30:00+05:30" in rows[1]

    csv = tmp_path / "exports" / "out.csv"  # a folder that does not exist yet is created
    assert (
        main(["history", "--store", str(store), "--tz", "America/New_York", "--csv", str(csv)]) == 0
    )
    assert f"wrote {3 * 168} intervals" in capsys.readouterr().out
    back = pd.read_csv(csv)
    stored = HistoryStore(store).read()
    assert len(back) == len(stored) == 3 * 168
    # New York is UTC-5 in November: 09:00Z is 04:00-05:00.
    assert back["interval_start"].iloc[0] == "2026-11-19T04:00:00-05:00"
    times = pd.to_datetime(back["interval_start"], utc=True)
    assert (times.to_numpy() == stored["interval_start"].to_numpy()).all()
    pd.testing.assert_series_equal(back["net_handle_time_s"], stored["net_handle_time_s"])
    _no_secret(csv.read_text())


def test_history_errors_are_clear(tmp_path, capsys):
    assert main(["history", "--store", str(tmp_path / "none.sqlite")]) == 1
    assert "no history store at" in capsys.readouterr().err
    HistoryStore(tmp_path / "h.sqlite").upsert(
        "1",
        pd.DataFrame(
            {"skill_id": [1], "interval_start": [NOW.floor("60min")], "interval_minutes": [60]}
        ),
    )
    assert main(["history", "--store", str(tmp_path / "h.sqlite"), "--tz", "Mars/Base"]) == 2
    assert "Mars/Base" in capsys.readouterr().err
    assert (
        main(
            [
                "history",
                "--store",
                str(tmp_path / "h.sqlite"),
                "--csv",
                str(tmp_path / "h.sqlite" / "x.csv"),
            ]
        )
        == 1
    )  # its "folder" is a file
    assert "cannot write" in capsys.readouterr().err


def test_fetch_runs_as_a_separate_process(tmp_path, lp):
    """The installed entry point, its own process, credentials only in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LP_")}
    env.update(zip(ENV_VARS, SECRETS, strict=True))
    store = tmp_path / "h.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "staffing.cli", *_fetch_args(lp, store, "--weeks", "1")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # 3 skills x 168 hours.
    assert "3 skills, 168 intervals in 1 windows: 504 rows new" in done.stdout
    _no_secret(done.stdout, done.stderr)
    assert len(HistoryStore(store).read()) == 504


def test_history_names_its_time_zone_and_prints_whole_counts(
    tmp_path, lp, lp_env, capsys, monkeypatch
):
    # Without --tz the times are this computer's zone: say which (issue "What a planner
    # trips over", 10), and counts are whole numbers, not 2423.0.
    store = tmp_path / "h.sqlite"
    assert main(_fetch_args(lp, store, "--weeks", "1", "--quiet")) == 0
    capsys.readouterr()
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert main(["history", "--store", str(store), "--skills", "12"]) == 0
    out, err = capsys.readouterr()
    assert "times in Asia/Tokyo (this computer's time zone; --tz ZONE to change)" in err
    row = out.strip().splitlines()[1].split()
    arrivals = row[-2]
    assert arrivals.isdigit(), row
