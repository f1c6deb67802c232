"""Presets, column maps, a model's `columns:`, --account and --accounts on small hand-made files.

Every file here carries the real header of its export (copied from the files in ../shared/data
or from the preset's `source` note) and one quirk at a time; the real files themselves are
read by test_presets_real.py.
"""

from __future__ import annotations

import csv
import gzip
import io
import json

import pandas as pd
import pytest
import yaml

from klout_cli.ingest.presets import detect, preset_text, presets
from klout_cli.ingest.read import Reading, read_sources
from klout_cli.options import load_map
from tests.cli.helpers import error_line, ok, records, usage_error

PRESETS = ["mastodon-statuses", "tidytuesday-tweets", "troll-tweets", "tweets-basic", "x-analytics", "x-archive"]

# -- X Analytics ------------------------------------------------------------------------------
#: The 40 columns of every real tweet_activity_metrics_*.csv, in order.
ANALYTICS_COLUMNS = [
    "Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements", "engagement rate",
    "retweets", "replies", "likes", "user profile clicks", "url clicks", "hashtag clicks", "detail expands",
    "permalink clicks", "app opens", "app installs", "follows", "email tweet", "dial phone", "media views",
    "media engagements", "promoted impressions", "promoted engagements", "promoted engagement rate",
    "promoted retweets", "promoted replies", "promoted likes", "promoted user profile clicks",
    "promoted url clicks", "promoted hashtag clicks", "promoted detail expands", "promoted permalink clicks",
    "promoted app opens", "promoted app installs", "promoted follows", "promoted email tweet",
    "promoted dial phone", "promoted media views", "promoted media engagements",
]  # fmt: skip
ANALYTICS_NAME = "tweet_activity_metrics_alice_20190101_20190201_en.csv"
#: Counts written as floats, a quoted newline, a time with its zone.
TWEET = {
    "Tweet id": "1091117122825084928",
    "Tweet permalink": "https://twitter.com/alice/status/1091117122825084928",
    "Tweet text": "line one\nline two #rstats",
    "time": "2019-01-31 23:32 +0000",
    "impressions": "2633.0",
    "engagements": "40.0",
    "retweets": "5.0",
    "replies": "1.0",
    "likes": "7.0",
    "url clicks": "16.0",
}
#: `-` in the counts (as the export writes in empty columns); a time an hour east of UTC.
DASHED = {
    "Tweet id": "1090000000000000000",
    "Tweet permalink": "https://twitter.com/alice/status/1090000000000000000",
    "Tweet text": "second",
    "time": "2019-01-30 10:00 +0100",
    **{name: "-" for name in ("impressions", "retweets", "replies", "likes", "url clicks")},
}


def analytics_csv(
    rows: list[dict[str, str]], columns: list[str] = ANALYTICS_COLUMNS, line_end: str = "\n", **rename: str
) -> str:
    """An X Analytics export: every cell quoted; cells not given are "0.0" ("-" when promoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator=line_end)
    writer.writerow([rename.get(name, name) for name in columns])
    for row in rows:
        writer.writerow([row.get(name, "-" if name.startswith("promoted") else "0.0") for name in columns])
    return buffer.getvalue()


# -- the other presets' files ---------------------------------------------------------------
#: Twitter's old archive tweets.csv (reconstructed header, as the preset's source says).
ARCHIVE = """\
"tweet_id","in_reply_to_status_id","in_reply_to_user_id","timestamp","source","text","retweeted_status_id","retweeted_status_user_id","retweeted_status_timestamp","expanded_urls"
"1001","","","2018-03-01 10:00:00 +0000","<a href=""http://twitter.com"">web</a>","hello #ai","","","",""
"1002","","","2018-03-02 10:00:00 +0100","web","RT @bob: nice","900","42","2018-03-01 09:00:00 +0000",""
"1003","800","77","2018-03-03 10:00:00 +0000","web","@carol yes","","","",""
"""
#: fivethirtyeight twitter-ratio: not all UTF-8 (here Mac Roman bytes: é is 0x8e, the curly quotes
#: 0xd2 and 0xd3; the real files hold mojibake no encoding reads). The preset reads it as UTF-8,
#: its other bytes as U+FFFD; a native retweet carries the original's counts.
BASIC = (
    b"created_at,text,url,replies,retweets,favorites,user\n"
    + "10/16/17 22:59,café “quoted”,https://twitter.com/ann/status/920061541986250758,17,89,641,ann\n".encode(
        "mac_roman"
    )
    + b"10/1/17 9:05,plain,https://twitter.com/ann/statuses/920061541986250759,0,0,1,ann\n"
    + b"10/2/17 9:05,RT @bob_1: his words,https://twitter.com/ann/status/920061541986250760,846,2615,11273,ann\n"
)


def lines(*rows: str) -> str:
    """CSV text from its lines (long lines given as adjacent string pieces)."""
    return "\n".join(rows) + "\n"


#: bet4a/russian-troll-tweets-by-author (ACAB_ZONE.csv): ISO-like dates; post_type R or Q with retweet = 1.
TROLL_BY_AUTHOR = lines(
    "author_id,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,retweet",
    'ACAB_ZONE,"#JusticeForMarioWoods rally on Saturday",United States,English,'
    "2015-12-04 22:59:00,2016-02-05 19:24:00,4693,1353,343,,0",
    "ACAB_ZONE,RT @someone: look,United States,English,2015-12-13 21:00:00,2015-12-30 03:38:00,4048,880,226,R,1",
    "ACAB_ZONE,my words https://t.co/x,United States,English,2015-12-14 08:00:00,2015-12-30 03:38:00,4050,880,227,Q,1",
)
#: fivethirtyeight/russian-troll-tweets (IRAhandle_tweets_1.csv): `10/1/2017 19:58`, post_type RETWEET
#: (its retweet cell 0, so the post_type rule alone decides) and QUOTE_TWEET (retweet 1).
TROLL_ORIGINAL = lines(
    "external_author_id,author,content,region,language,publish_date,harvested_date,following,followers,updates,"
    "post_type,account_type,retweet,account_category,new_june_2018,alt_external_id,tweet_id,article_url,"
    "tco1_step1,tco2_step1,tco3_step1",
    '906000000000000000,10_GOP,"We have a sitting Democrat US Senator on trial",Unknown,English,'
    "10/1/2017 19:58,10/1/2017 19:59,1052,9636,253,,Right,0,RightTroll,0,905874659358453760,914580356430536707,"
    "http://twitter.com/905874659358453760/statuses/914580356430536707,,,",
    '906000000000000000,10_GOP,"RT @x: Marshawn Lynch arrives",Unknown,English,10/1/2017 22:43,10/1/2017 22:43,'
    "1054,9637,254,RETWEET,Right,0,RightTroll,0,905874659358453760,914621840496189440,,,,",
    '906000000000000000,10_GOP,"so true",Unknown,English,10/2/2017 1:05,10/2/2017 1:05,'
    "1054,9640,255,QUOTE_TWEET,Right,1,RightTroll,0,905874659358453760,914650000000000000,,,,",
)
#: TidyTuesday 2021 week 25: `NA` for missing, a last row all NA but lat/long; `text` is the client.
TIDY = lines(
    "datetime,content,retweet_count,like_count,quote_count,text,username,location,followers,url,verified,lat,long",
    '2021-05-07T11:42:29Z,"hi #DuBoisChallenge\ntwo lines",2,5,0,'
    '"<a href=""http://twitter.com/download/android"" rel=""nofollow"">Twitter for Android</a>",'
    "AlDatavizguy,New York,1113,https://twitter.com/AlDatavizguy/status/1390633129203879937,FALSE,40.7127281,-74.0060152",
    "2021-05-06T16:14:46Z,plain,NA,NA,NA,NA,bo,NA,NA,https://twitter.com/bo/status/5,NA,NA,NA",
    "NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,40.7127281,-74.0060152",
)
#: Mastodon API Status fields; `content` is HTML with Mastodon's hashtag links.
MASTODON = lines(
    "id,created_at,content,url,media,replies_count,reblogs_count,favourites_count",
    '111,2024-03-01T10:00:00.000Z,"<p>Hello &amp; welcome <a href=""https://mastodon.social/tags/ai"" '
    'class=""mention hashtag"" rel=""tag"">#<span>ai</span></a></p>",https://mastodon.social/@ana/123,,2,3,4',
    "112,2024-03-02T10:00:00.000Z,<p>from elsewhere</p>,https://fosstodon.org/@ben@mastodon.social/112,,0,0,1",
)
CANONICAL = "account,timestamp,platform,likes\nzed,2024-03-01T12:00:00Z,bluesky,3\n"

#: A file of each preset: (name, content, the options it needs).
FILES: dict[str, tuple[str, str | bytes, tuple[str, ...]]] = {
    "x-analytics": (ANALYTICS_NAME, analytics_csv([TWEET, DASHED]), ()),
    "x-archive": ("tweets.csv", ARCHIVE, ("--account", "me")),
    "tweets-basic": ("BarackObama.csv", BASIC, ()),
    "troll-tweets": ("ACAB_ZONE.csv", TROLL_BY_AUTHOR, ()),
    "tidytuesday-tweets": ("tweets.csv", TIDY, ()),
    "mastodon-statuses": ("statuses.csv", MASTODON, ()),
}


def read(*names: str, **reading: object) -> pd.DataFrame:
    frame, _ = read_sources(list(names), reading=Reading(**reading))  # type: ignore[arg-type]
    return frame


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


WIDE_MODEL = "window_days: 3650\n"  # hand-made files span 2015-2024


# -- x-analytics ------------------------------------------------------------------------------
def test_analytics_export_quirks(write) -> None:
    name = write(ANALYTICS_NAME, analytics_csv([TWEET, DASHED]))
    frame, report = read_sources([name])
    assert report.files[0].format == "x-analytics"
    assert frame["account"].tolist() == ["alice", "alice"]  # from the permalink
    assert frame["platform"].tolist() == ["twitter", "twitter"]
    assert frame["post_id"].tolist() == ["1091117122825084928", "1090000000000000000"]
    assert frame["text"].tolist() == ["line one\nline two #rstats", "second"]  # the quoted newline survives
    assert frame["timestamp"].tolist() == [utc("2019-01-31 23:32"), utc("2019-01-30 09:00")]
    # "2633.0" is the count 2633; "-" is empty: 0
    assert frame["impressions"].tolist() == [2633.0, 0.0]
    assert frame["likes"].tolist() == [7.0, 0.0]
    assert frame["shares"].tolist() == [5.0, 0.0]
    assert frame["replies"].tolist() == [1.0, 0.0]
    assert frame["clicks"].tolist() == [16.0, 0.0]  # url clicks
    assert "engagements" in report.files[0].unknown_columns
    assert "url clicks" not in report.files[0].unknown_columns


@pytest.mark.parametrize("likes", ["likes", "favorites", "Favorites"])
def test_analytics_likes_or_the_older_favorites(write, likes: str) -> None:
    name = write(ANALYTICS_NAME, analytics_csv([TWEET], likes=likes))
    assert read(name)["likes"].tolist() == [7.0]


def test_analytics_account_from_the_permalink_before_the_file_name(write) -> None:
    name = write("tweet_activity_metrics_bob_20190101_20190201_en.csv", analytics_csv([TWEET]))
    assert read(name)["account"].tolist() == ["alice"]


@pytest.mark.parametrize("host", ["twitter.com", "x.com", "mobile.twitter.com"])
def test_analytics_account_from_any_twitter_or_x_permalink(write, host: str) -> None:
    rows = [{**TWEET, "Tweet permalink": f"https://{host}/dora/status/1"}]
    assert read(write("export.csv", analytics_csv(rows)))["account"].tolist() == ["dora"]


@pytest.mark.parametrize("permalink", ["", "-"])
def test_analytics_account_from_the_file_name_when_the_permalink_is_empty(write, permalink: str) -> None:
    rows = [{**TWEET, "Tweet permalink": permalink}, {**DASHED, "Tweet permalink": permalink}]
    name = write("tweet_activity_metrics_bob_20190101_20190201_en.csv", analytics_csv(rows))
    assert read(name)["account"].tolist() == ["bob", "bob"]


def test_analytics_account_option_overrides(kscore, write) -> None:
    name = write(ANALYTICS_NAME, analytics_csv([TWEET, DASHED]))
    assert read(name, account="carol")["account"].tolist() == ["carol", "carol"]
    result = ok(kscore("compute", name, "--account", "carol", "--no-save", "-f", "csv"))
    assert [(row["account"], row["platform"], row["items"]) for row in records(result.stdout)] == [
        ("carol", "twitter", "2")
    ]


def test_analytics_without_any_account_asks_for_the_account_option(kscore, write) -> None:
    rows = [{**TWEET, "Tweet permalink": ""}]
    name = write("export.csv", analytics_csv(rows))
    message = error_line(kscore("compute", name, "--no-save"))
    assert "--account" in message


# -- x-archive --------------------------------------------------------------------------------
def test_archive_retweets_and_replies_are_interactions(write) -> None:
    name = write("tweets.csv", ARCHIVE)
    frame, report = read_sources([name], reading=Reading(account="me"))
    assert report.files[0].format == "x-archive"
    assert frame[["account", "platform", "post_id", "kind", "target"]].values.tolist() == [
        ["me", "twitter", "1001", "post", ""],
        ["me", "twitter", "1002", "share", "42"],  # retweeted_status_user_id
        ["me", "twitter", "1003", "reply", "77"],  # in_reply_to_user_id
    ]
    assert frame["timestamp"].tolist() == [utc("2018-03-01 10:00"), utc("2018-03-02 09:00"), utc("2018-03-03 10:00")]
    assert frame["text"].tolist() == ["hello #ai", "RT @bob: nice", "@carol yes"]


def test_archive_without_account_asks_for_it(kscore, write) -> None:
    name = write("tweets.csv", ARCHIVE)
    message = error_line(kscore("compute", name, "--no-save"))
    assert message.startswith("tweets.csv: cannot tell whose rows these are (the x-archive map")
    assert message.endswith("pass --account NAME")


def test_explain_an_archive_with_account(kscore, write) -> None:
    name = write("tweets.csv", ARCHIVE)
    data = json.loads(ok(kscore("explain", "me", name, "--account", "me", "-f", "json")).stdout)
    assert (data["account"], data["platform"], data["items"]) == ("me", "twitter", 3)
    assert data["source"]["as_of"] == "2018-03-03T10:00:00+00:00"
    assert [topic["topic"] for topic in data["topics"]] == ["ai"]
    error_line(kscore("explain", "me", name, "-f", "json"))  # no --account: the archive names no one


# -- tweets-basic -----------------------------------------------------------------------------
def test_basic_non_utf8_is_read_with_the_presets_encoding(kscore, write) -> None:
    name = write("BarackObama.csv", BASIC)
    with pytest.raises(UnicodeDecodeError):
        BASIC.decode("utf-8")
    frame, report = read_sources([name])
    assert (report.files[0].format, report.files[0].encoding, report.files[0].undecodable) == (
        "tweets-basic",
        "utf-8",
        3,
    )
    assert frame["text"].tolist() == ["caf\ufffd \ufffdquoted\ufffd", "plain", "RT @bob_1: his words"]
    assert frame["account"].tolist() == ["ann", "ann", "ann"]
    assert frame["post_id"].tolist() == ["920061541986250758", "920061541986250759", "920061541986250760"]
    assert frame["timestamp"].tolist() == [utc("2017-10-16 22:59"), utc("2017-10-01 09:05"), utc("2017-10-02 09:05")]
    row = records(ok(kscore("check", name, "-f", "csv")).stdout)[0]
    assert (row["format"], row["rows"], row["accounts"]) == ("tweets-basic (3 characters not UTF-8)", "3", "1")
    result = ok(kscore("compute", name, "--no-save", "-f", "csv"))
    assert "read 1 file as tweets-basic\n" in result.stderr
    assert "BarackObama.csv: 3 characters of text were not UTF-8 (shown as \ufffd)" in result.stderr


def test_a_map_that_names_a_legacy_encoding_reads_it_so(kscore, write) -> None:
    """A file that really is Mac Roman (or cp1252) reads as such through a map that says so."""
    name = write("BarackObama.csv", BASIC)
    preset = kscore("presets", "tweets-basic").stdout.replace("encoding: utf-8", "encoding: mac_roman")
    write("mac.yaml", preset)
    frame, report = read_sources([name], reading=Reading(column_map=load_map("mac.yaml")))
    assert report.files[0].encoding == "mac_roman"
    assert frame["text"].tolist() == ["café \u201cquoted\u201d", "plain", "RT @bob_1: his words"]


def test_basic_native_retweet_is_a_share_without_the_originals_counts(write) -> None:
    frame = read(write("BarackObama.csv", BASIC))
    assert frame["kind"].tolist() == ["post", "post", "share"]
    assert frame["target"].tolist() == ["", "", "bob_1"]  # RT @bob_1: ...
    assert frame[["likes", "shares", "replies"]].values.tolist() == [[641, 89, 17], [1, 0, 0], [0, 0, 0]]


def test_basic_four_digit_years(write) -> None:
    name = write("senators.csv", BASIC.replace(b"/17 ", b"/2017 "))
    assert read(name)["timestamp"].tolist() == [
        utc("2017-10-16 22:59"),
        utc("2017-10-01 09:05"),
        utc("2017-10-02 09:05"),
    ]


def test_non_utf8_is_an_error_unless_a_map_names_the_encoding(kscore, write) -> None:
    name = write("latin.csv", "user,when,text\nann,2024-01-01,caf\xe9\n".encode("latin-1"))
    write("plain.yaml", "columns: {account: user, timestamp: when, text: text}\n")
    message = error_line(kscore("compute", name, "--map", "plain.yaml", "--no-save"))
    assert message.startswith("latin.csv:2: not UTF-8 text (byte 0xe9)")
    write("latin.yaml", "columns: {account: user, timestamp: when, text: text}\nencoding: latin-1\n")
    assert read(name, column_map=load_map("latin.yaml"))["text"].tolist() == ["café"]
    result = ok(kscore("compute", name, "--map", "latin.yaml", "--no-save", "-f", "csv"))
    assert "read 1 file as map latin, decoded as latin-1" in result.stderr


def test_non_utf8_canonical_file_can_follow_the_errors_advice(kscore, write) -> None:
    name = write("latin.csv", "account,timestamp,text\nann,2024-01-01,caf\xe9\n".encode("latin-1"))
    message = error_line(kscore("compute", name, "--no-save"))
    assert "or read it with a column map that names its encoding" in message
    write("latin.yaml", "columns: {account: account, timestamp: timestamp, text: text}\nencoding: latin-1\n")
    ok(kscore("compute", name, "--map", "latin.yaml", "--no-save"))


# -- troll-tweets -----------------------------------------------------------------------------
def test_troll_by_author_file(write) -> None:
    name = write("ACAB_ZONE.csv", TROLL_BY_AUTHOR)
    frame, report = read_sources([name])
    assert report.files[0].format == "troll-tweets"
    assert frame["account"].tolist() == ["ACAB_ZONE"] * 3  # author_id
    assert frame["timestamp"].tolist() == [utc("2015-12-04 22:59"), utc("2015-12-13 21:00"), utc("2015-12-14 08:00")]
    assert frame["kind"].tolist() == ["post", "share", "post"]  # R: a retweet; Q: a quote is the account's words
    assert frame["followers"].tolist() == [1353, 880, 880]
    assert frame["following"].tolist() == [4693, 4048, 4050]
    assert frame["post_id"].tolist() == ["", "", ""]


def test_troll_original_file(write) -> None:
    name = write("IRAhandle_tweets_1.csv", TROLL_ORIGINAL)
    frame, report = read_sources([name])
    assert report.files[0].format == "troll-tweets"
    assert frame["account"].tolist() == ["10_GOP"] * 3  # author
    assert frame["timestamp"].tolist() == [utc("2017-10-01 19:58"), utc("2017-10-01 22:43"), utc("2017-10-02 01:05")]
    assert frame["kind"].tolist() == ["post", "share", "post"]
    assert frame["post_id"].tolist() == ["914580356430536707", "914621840496189440", "914650000000000000"]
    assert frame["followers"].tolist() == [9636, 9637, 9640]
    assert frame["following"].tolist() == [1052, 1054, 1054]


def test_troll_retweet_column_alone_makes_a_share(write) -> None:
    header, first = TROLL_BY_AUTHOR.splitlines()[:2]
    plain_retweet = first.replace("343,,0", "344,,1")  # no post_type, retweet = 1
    frame = read(write("ACAB_ZONE.csv", lines(header, first, plain_retweet)))
    assert frame["kind"].tolist() == ["post", "share"]


def test_troll_both_date_formats_in_one_run(write) -> None:
    names = [write("ACAB_ZONE.csv", TROLL_BY_AUTHOR), write("IRAhandle_tweets_1.csv", TROLL_ORIGINAL)]
    frame = read(*names)
    assert frame.groupby("account")["timestamp"].max().to_dict() == {
        "ACAB_ZONE": utc("2015-12-14 08:00"),
        "10_GOP": utc("2017-10-02 01:05"),
    }


# -- tidytuesday-tweets -----------------------------------------------------------------------
def test_tidytuesday_na_cells(kscore, write) -> None:
    name = write("tweets.csv", TIDY)
    frame, report = read_sources([name])
    assert (report.files[0].format, report.files[0].rows, report.files[0].empty_rows) == ("tidytuesday-tweets", 3, 1)
    assert frame["account"].tolist() == ["AlDatavizguy", "bo"]
    assert frame["text"].tolist() == ["hi #DuBoisChallenge\ntwo lines", "plain"]  # `content`, not `text`
    assert frame["post_id"].tolist() == ["1390633129203879937", "5"]
    assert frame["likes"].tolist() == [5.0, 0.0]  # NA: 0
    assert frame["shares"].tolist() == [2.0, 0.0]
    assert frame["followers"].iloc[0] == 1113
    assert pd.isna(frame["followers"].iloc[1])  # NA: unknown, not 0
    result = ok(kscore("compute", name, "--no-save", "-f", "csv"))
    assert "left out 1 row with nothing in any mapped column" in result.stderr
    assert {row["account"]: row["followers"] for row in records(result.stdout)} == {"AlDatavizguy": "1113", "bo": ""}


# -- mastodon-statuses ------------------------------------------------------------------------
def test_mastodon_statuses(write) -> None:
    name = write("statuses.csv", MASTODON)
    frame, report = read_sources([name])
    assert report.files[0].format == "mastodon-statuses"
    assert frame["account"].tolist() == ["ana", "ben@mastodon.social"]  # a remote account keeps its server
    assert frame["platform"].tolist() == ["mastodon", "mastodon"]
    assert frame["post_id"].tolist() == ["111", "112"]
    assert frame["timestamp"].tolist() == [utc("2024-03-01 10:00"), utc("2024-03-02 10:00")]
    assert frame[["likes", "shares", "replies"]].values.tolist() == [[4, 3, 2], [1, 0, 0]]
    text = frame["text"].iloc[0]
    assert "<" not in text and "span" not in text
    assert "Hello & welcome" in text  # entities decoded
    assert frame["text"].iloc[1].strip() == "from elsewhere"


def test_mastodon_hashtag_link_without_span_is_a_topic(kscore, write) -> None:
    html = '<p>Hello <a href=""https://mastodon.social/tags/ai"" rel=""tag"">#ai</a></p>'
    name = write(
        "statuses.csv", MASTODON.splitlines()[0] + f'\n1,2024-03-01T10:00:00Z,"{html}",https://m.s/@ana/1,,0,1,2\n'
    )
    rows = records(ok(kscore("compute", name, "--no-save", "--topic", "ai", "-f", "csv")).stdout)
    assert [(row["account"], row["topic"]) for row in rows] == [("ana", "ai")]


def test_mastodon_span_hashtags_become_topics(kscore, write) -> None:
    """Mastodon writes `#<span>ai</span>` (1f3589e read it as `# ai`: no topic)."""
    name = write("statuses.csv", MASTODON)
    assert "#ai" in read(name)["text"].iloc[0]
    rows = records(ok(kscore("compute", name, "--no-save", "--topic", "ai", "-f", "csv")).stdout)
    assert [(row["account"], row["topic"]) for row in rows] == [("ana", "ai")]


# -- auto-detection ---------------------------------------------------------------------------
def test_files_of_every_format_in_one_run(kscore, write) -> None:
    names = [write(name, content) for name, content, options in FILES.values() if not options]
    names[names.index("tweets.csv")] = write("dubois.csv", TIDY)  # the archive's name is taken
    names.append(write("canonical.csv", CANONICAL))
    write("wide.yaml", WIDE_MODEL)
    result = ok(kscore("compute", *names, "--model", "wide.yaml", "--no-save", "-f", "csv"))
    assert result.stderr.splitlines()[0] == (
        "read 1 file as x-analytics; 1 file as tweets-basic; 1 file as troll-tweets; "
        "1 file as tidytuesday-tweets; 1 file as mastodon-statuses"
    )
    scored = {(row["account"], row["platform"]) for row in records(result.stdout)}
    assert scored == {
        ("alice", "twitter"),
        ("ann", "twitter"),
        ("ACAB_ZONE", "twitter"),
        ("AlDatavizguy", "twitter"),
        ("bo", "twitter"),
        ("ana", "mastodon"),
        ("ben@mastodon.social", "mastodon"),
        ("zed", "bluesky"),
    }


def test_the_canonical_schema_wins_when_the_header_has_account_and_timestamp(write) -> None:
    header = "account,timestamp,id,created_at,content,url,replies_count,reblogs_count,favourites_count,likes"
    name = write("both.csv", header + "\nkim,2024-01-01,9,2023-01-01,x,https://m.s/@ana/9,1,2,3,4\n")
    frame, report = read_sources([name])
    assert report.files[0].format == "kscore"
    assert frame[["account", "platform", "likes", "shares"]].values.tolist() == [["kim", "default", 4.0, 0.0]]
    assert frame["timestamp"].tolist() == [utc("2024-01-01")]
    assert "favourites_count" in report.files[0].unknown_columns


PARTIAL_BASIC = "created_at,text,url,favorites\n10/16/17 22:59,hi,https://twitter.com/ann/status/9,3\n"
#: The archive with an `account` column too: kscore's schema by its header (account, timestamp).
ARCHIVE_WITH_ACCOUNT = "\n".join(
    line + (',"account"' if index == 0 else ',"me"') for index, line in enumerate(ARCHIVE.splitlines())
)


def test_preset_option_forces_a_preset_over_the_canonical_schema(kscore, write) -> None:
    name = write("tweets.csv", ARCHIVE_WITH_ACCOUNT)
    frame, report = read_sources([name])
    assert report.files[0].format == "kscore"
    assert frame["kind"].tolist() == ["post", "post", "post"]
    frame, report = read_sources([name], reading=Reading(preset="x-archive", account="me"))
    assert report.files[0].format == "x-archive"
    assert frame[["account", "kind", "target"]].values.tolist() == [
        ["me", "post", ""],
        ["me", "share", "42"],
        ["me", "reply", "77"],
    ]
    result = ok(kscore("check", name, "--preset", "X-Archive", "--account", "me", "-f", "csv"))
    assert records(result.stdout)[0]["format"] == "x-archive"


def test_a_forced_preset_needs_its_header(kscore, write) -> None:
    name = write("partial.csv", PARTIAL_BASIC)
    assert "unknown header" in error_line(kscore("compute", name, "--no-save"))
    message = error_line(kscore("compute", name, "--preset", "tweets-basic", "--account", "ann", "--no-save"))
    assert (
        message
        == "partial.csv:1: not an export the tweets-basic preset reads: its header lacks 'replies', 'retweets', 'user'"
    )


def test_preset_option_applies_even_to_a_canonical_file(kscore, write) -> None:
    name = write("canonical.csv", CANONICAL)
    message = error_line(kscore("compute", name, "--preset", "x-analytics", "--no-save"))
    assert message.startswith(
        "canonical.csv:1: not an export the x-analytics preset reads: its header lacks 'tweet id'"
    )


@pytest.mark.parametrize("command", ["compute", "check", "rank"])
def test_unknown_preset_is_a_usage_error_listing_the_presets(kscore, write, command: str) -> None:
    name = write("partial.csv", PARTIAL_BASIC)
    stderr = usage_error(kscore(command, name, "--preset", "nope"))
    assert f"Invalid value for --preset: 'nope' is not a preset ({', '.join(PRESETS)})" in stderr


def test_preset_and_map_together_are_a_usage_error(kscore, write) -> None:
    name = write("partial.csv", PARTIAL_BASIC)
    write("tweets-basic.yaml", preset_text("tweets-basic"))
    stderr = usage_error(kscore("compute", name, "--preset", "tweets-basic", "--map", "tweets-basic.yaml"))
    assert "give --preset or --map, not both" in stderr


# -- an unknown header --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "nearest", "lacking"),
    [
        ("Tweet id,Tweet text,time,impressions", "x-analytics", "'tweet permalink', 'engagements'"),
        ("created_at,content,url,replies_count", "mastodon-statuses", "'reblogs_count', 'favourites_count'"),
        ("created_at,text,url,favorites", "tweets-basic", "'replies', 'retweets', 'user'"),
    ],
)
def test_unknown_header_names_the_nearest_preset_and_how_to_map(
    kscore, write, header: str, nearest: str, lacking: str
) -> None:
    name = write("export.csv", header + "\n" + ",".join("1" * len(header.split(","))) + "\n")
    message = error_line(kscore("compute", name, "--no-save"))
    assert message == (
        "export.csv:1: unknown header: the canonical columns 'account', 'timestamp' are not there and no "
        f"preset matches (nearest: {nearest}, which needs {lacking} too); to read it, write a column map: "
        f"`kscore presets {nearest} > my-map.yaml`, point its columns at yours, then pass --map my-map.yaml"
    )


def test_unknown_header_close_to_no_preset(kscore, write) -> None:
    name = write("export.csv", "foo,bar\n1,2\n")
    message = error_line(kscore("compute", name, "--no-save"))
    assert message.startswith(
        "export.csv:1: unknown header: the canonical columns 'account', 'timestamp' are not there and no preset "
        "matches (none is close: see `kscore presets`); to read it, write a column map: `kscore presets "
    )
    assert message.endswith("> my-map.yaml`, point its columns at yours, then pass --map my-map.yaml")


def test_unknown_header_in_check_is_its_problem_column(kscore, write) -> None:
    name = write("export.csv", "foo,bar\n1,2\n")
    result = kscore("check", name, "-f", "csv")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    row = records(result.stdout)[0]
    assert row["status"] == "error"
    assert row["problem"].startswith("export.csv:1: unknown header")
    assert "--map my-map.yaml" in row["problem"]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("account,likes", "missing required column 'timestamp' (found: account, likes;"),
        ("timestamp,likes", "missing required column 'account' (found: timestamp, likes;"),
    ],
)
def test_half_canonical_header_keeps_the_missing_column_message(kscore, write, header: str, message: str) -> None:
    name = write("half.csv", header + "\nx,1\n")
    assert error_line(kscore("compute", name, "--no-save")).startswith(f"half.csv:1: {message}")


def test_account_option_completes_a_canonical_file(kscore, write) -> None:
    name = write("half.csv", "timestamp,likes\n2024-01-01,2\n")
    rows = records(ok(kscore("compute", name, "--account", "zed", "--no-save", "-f", "csv")).stdout)
    assert [(row["account"], row["platform"]) for row in rows] == [("zed", "default")]


# -- --map --------------------------------------------------------------------------------------
MY_EXPORT = """\
When,Link,Body,Hearts,Boosts,Type,Parent
01.03.2024 10:00,https://ex.com/u/dana/p/7,hello,5,n/a,,
02.03.2024 11:30,https://ex.com/u/dana/p/8,re,1,2,reply,erin
03.03.2024 12:00,,fwd,0,0,BOOST,frank
"""
MY_MAP = r"""
name: mine
columns:
  account: {file: 'mine_(\w+?)_\d{4}'}
  platform: {value: Forum}
  post_id: {column: Link, pattern: '/p/(\d+)'}
  text: [Content, Body]
  timestamp: When
  likes: [favs, Hearts]
  shares: Boosts
time_format: ["%Y-%m-%d", "%d.%m.%Y %H:%M"]
missing: [n/a]
kind:
  default: post
  rules:
    - {column: Type, equals: reply, kind: reply, target: Parent}
    - {column: Type, equals: boost, kind: share, target: Parent}
"""


def test_a_users_map(kscore, write) -> None:
    name = write("mine_dana_2024.csv", MY_EXPORT)
    write("mine.yaml", MY_MAP)
    frame, report = read_sources([name], reading=Reading(column_map=load_map("mine.yaml")))
    assert (report.files[0].format, report.files[0].unknown_columns) == ("map mine", [])
    assert frame[["account", "platform", "post_id", "kind", "target", "text"]].values.tolist() == [
        ["dana", "forum", "7", "post", "", "hello"],
        ["dana", "forum", "8", "reply", "erin", "re"],
        ["dana", "forum", "", "share", "frank", "fwd"],  # `equals` ignores case
    ]
    assert frame["timestamp"].tolist() == [utc("2024-03-01 10:00"), utc("2024-03-02 11:30"), utc("2024-03-03 12:00")]
    assert frame["likes"].tolist() == [5.0, 1.0, 0.0]
    assert frame["shares"].tolist() == [0.0, 2.0, 0.0]  # n/a: missing
    row = records(ok(kscore("check", name, "--map", "mine.yaml", "-f", "csv")).stdout)[0]
    assert (row["format"], row["platforms"], row["rows"]) == ("map mine", "forum", "3")
    assert "read 1 file as map mine" in ok(kscore("compute", name, "--map", "mine.yaml", "--no-save")).stderr


def test_a_map_without_a_name_is_named_by_its_file(write) -> None:
    name = write("export.csv", "user,when\nann,2024-01-01\n")
    write("my-map.yaml", "columns: {account: user, timestamp: when}\n")
    _, report = read_sources([name], reading=Reading(column_map=load_map("my-map.yaml")))
    assert report.files[0].format == "map my-map"


def test_a_map_constant_and_file_pattern_fill_only_empty_cells(write) -> None:
    write("m.yaml", "columns:\n  account: {column: who, file: 'by_(\\w+)\\.csv', value: nobody}\n  timestamp: when\n")
    name = write("by_kim.csv", "who,when\nann,2024-01-01\n,2024-01-02\n")
    other = write("other.csv", "who,when\n,2024-01-03\n")
    frame = read(name, other, column_map=load_map("m.yaml"))
    assert frame["account"].tolist() == ["ann", "kim", "nobody"]


MAP_ERRORS = [
    (
        "colums: {timestamp: When}",
        "colums: unknown key (did you mean 'columns'?)",
    ),
    (
        "columns: {timestamp: When, account: {column: Link, patern: '(x)'}}",
        "columns.account.patern: unknown key (did you mean 'pattern'?)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: {rules: [{column: Type, kind: share, targte: x}]}",
        "kind.rules[0].targte: unknown key (did you mean 'target'?)",
    ),
    (
        "columns: {timestamp: When, account: {column: Link, pattern: 'u/\\w+'}}",
        "columns.account.pattern: needs a group in parentheses: the part to keep, e.g. 'status/(\\d+)'",
    ),
    (
        "columns: {timestamp: When, account: {column: Link, pattern: 'u/(\\w+'}}",
        "columns.account.pattern: not a valid regular expression (missing ), unterminated subpattern at position 2)",
    ),
    (
        "columns: {timestamp: When, account: {file: '[a-'}}",
        "columns.account.file: not a valid regular expression (unterminated character set at position 0)",
    ),
    (
        "columns: {timestamp: When, account: {pattern: '(x)'}}",
        "columns.account: give a column, a file pattern or a value",
    ),
    (
        "columns: {timestamp: When, acount: Link}",
        "columns.acount: not a canonical column (did you mean 'account'?)",
    ),
    (
        "columns: {timestamp: When, mood: Link}",
        "columns.mood: not a canonical column (see `kscore schema`)",
    ),
    (
        "columns: {account: Link}",
        "columns.timestamp: missing (every row needs its time)",
    ),
    (
        "name: x",
        "columns: missing: map each canonical column to a column of your file (see `kscore schema`)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: repost",
        "kind: 'repost' is not a kind (post, reply, share, like, mention, follow, endorse, profile)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: {default: boost}",
        "kind.default: 'boost' is not a kind (post, reply, share, like, mention, follow, endorse, profile)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: {rules: [{column: Type, kind: boost}]}",
        "kind.rules[0].kind: 'boost' is not a kind (post, reply, share, like, mention, follow, endorse, profile)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: {rules: [{column: Type}]}",
        "kind.rules[0].kind: missing",
    ),
    (
        "columns: {timestamp: When, account: Link, kind: Type}\nkind: post",
        "kind: given twice (as columns.kind and as kind): keep one",
    ),
    (
        "columns: {timestamp: When, account: Link}\nencoding: klingon",
        "encoding: 'klingon' is not an encoding Python knows (e.g. cp1252, mac_roman)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nencoding: utf-16",
        "encoding: 'utf-16' is not a text encoding kscore reads (e.g. cp1252, mac_roman)",
    ),
    (
        "columns: {timestamp: When, account: Link}\ntime_format: ['%Q']",
        "time_format[0]: '%Q' is not a date format ('Q' is a bad directive in format '%Q'; e.g. '%d/%m/%Y %H:%M')",
    ),
    (
        "columns: {timestamp: When, account: Link, Account: Body}",
        "columns.Account: given twice (column names match case-insensitively)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: {rules: [{column: Type, equals: x, matches: y, kind: "
        "share}]}",
        "kind.rules[0]: give equals or matches, not both",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: {rules: [{column: Type, matches: '(x', kind: share}]}",
        "kind.rules[0].matches: not a valid regular expression (missing ), unterminated subpattern at position 0)",
    ),
    (
        "columns: {timestamp: When, account: Link}\nkind: {rules: [{column: Type, kind: share, counts: no please}]}",
        "kind.rules[0].counts: must be true or false, got 'no please'",
    ),
    (
        "columns: {timestamp: When, account: {column: Link, html: yes please}}",
        "columns.account.html: must be true or false, got 'yes please'",
    ),
    (
        "columns: {timestamp: When, account: []}",
        "columns.account: an empty list of columns",
    ),
    (
        "columns: {timestamp: When, account: {value: ''}}",
        "columns.account.value: must be text, got ''",
    ),
]


@pytest.mark.parametrize(("text", "message"), MAP_ERRORS, ids=[message.split(": ")[0] for _, message in MAP_ERRORS])
def test_a_bad_map_names_the_key(kscore, write, text: str, message: str) -> None:
    name = write("mine_dana_2024.csv", MY_EXPORT)
    write("bad.yaml", text + "\n")
    assert error_line(kscore("compute", name, "--map", "bad.yaml", "--no-save")) == f"bad.yaml: {message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "bad.yaml: a column map must be a mapping of keys to values (see `kscore presets x-analytics`)"),
        (
            "columns: {timestamp: [When, When]}\ncolumns: {}\n",
            "bad.yaml:2:1: not valid YAML: key 'columns' is given twice",
        ),
        (None, "bad.yaml: no such map file"),
    ],
    ids=["not a mapping", "bad YAML", "no file"],
)
def test_a_map_that_is_no_map(kscore, write, text: str | None, message: str) -> None:
    name = write("mine_dana_2024.csv", MY_EXPORT)
    if text is not None:
        write("bad.yaml", text)
    assert error_line(kscore("check", name, "--map", "bad.yaml")) == message


def test_a_map_pointing_at_absent_columns(kscore, write) -> None:
    name = write("mine_dana_2024.csv", MY_EXPORT)
    write("m.yaml", "columns: {account: Link, timestamp: Whenever}\n")
    assert error_line(kscore("compute", name, "--map", "m.yaml", "--no-save")) == (
        "mine_dana_2024.csv:1: the m map reads timestamp from 'whenever'; the file has none"
    )


def test_a_map_names_count_columns_the_file_lacks(kscore, write) -> None:
    name = write("export.csv", "user,when,hearts\nann,2024-01-01,5\n")
    write("m.yaml", "columns: {account: user, timestamp: when, likes: favs, shares: [boosts, reblogs]}\n")
    result = ok(kscore("compute", name, "--map", "m.yaml", "--no-save", "-f", "csv"))
    assert (
        "export.csv: no column for likes ('favs'), shares ('boosts' or 'reblogs'): "
        "counts read 0, audience unknown (see --map)" in (result.stderr)
    )
    assert records(result.stdout)[0]["engagement"] == "0.0"


def test_a_pattern_keeps_its_first_group(write) -> None:
    name = write("export.csv", "link,when\nhttps://ex.com/u/dana/p/7,2024-01-01\n")
    write("m.yaml", "columns:\n  account: {column: link, pattern: '/(u)/(\\w+)'}\n  timestamp: when\n")
    assert read(name, column_map=load_map("m.yaml"))["account"].tolist() == ["u"]


def test_errors_after_blank_rows_name_the_files_line_and_column(kscore, write) -> None:
    blank = "NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,40.7,-74.0\n"
    bad = "2021-05-06T16:14:46Z,plain,NA,many,NA,NA,bo,NA,NA,https://twitter.com/bo/status/5,NA,NA,NA\n"
    name = write("tweets.csv", TIDY.splitlines(keepends=True)[0] + blank + blank + bad)
    assert error_line(kscore("compute", name, "--no-save")) == (
        "tweets.csv:4: column 'like_count' (likes): 'many' is not a count (use --on-error skip to skip such rows)"
    )


def test_a_file_of_blank_rows_has_no_rows(kscore, write) -> None:
    name = write("tweets.csv", TIDY.splitlines(keepends=True)[0] + TIDY.splitlines(keepends=True)[-1])
    message = error_line(kscore("compute", name, "--no-save"))
    assert message == "tweets.csv: no rows with data (every row is empty in the columns tidytuesday-tweets reads)"


def test_a_map_applies_to_a_file_with_account_and_timestamp_columns(kscore, write) -> None:
    name = write("export.csv", "account,timestamp,favs\nann,2024-01-01,50\nbob,2024-01-02,1\n")
    write("m.yaml", "columns: {account: account, timestamp: timestamp, likes: favs}\n")
    result = ok(kscore("compute", name, "--map", "m.yaml", "--no-save", "-f", "csv"))
    assert [row["account"] for row in records(result.stdout)] == ["ann", "bob"]
    assert float(records(result.stdout)[0]["engagement"]) > 0


# -- a model's columns: section -------------------------------------------------------------
MODEL_EXPORT = "user,when,favs,shares\nann,01.03.2024,5,1\nbob,02.03.2024,2,0\n"
MODEL = 'columns: {account: user, timestamp: when, likes: favs, time_format: "%d.%m.%Y"}\n'


def test_a_models_columns_read_the_file(kscore, write) -> None:
    name = write("export.csv", MODEL_EXPORT)
    write("m.yaml", MODEL)
    assert "unknown header" in error_line(kscore("compute", name, "--no-save"))
    result = ok(kscore("compute", name, "--model", "m.yaml", "--no-save", "-f", "csv"))
    assert "read 1 file as the model's columns:" in result.stderr
    assert "as of 2024-03-02 00:00 UTC" in result.stderr
    rows = {row["account"]: row for row in records(result.stdout)}
    assert list(rows) == ["ann", "bob"]
    assert float(rows["ann"]["engagement"]) > float(rows["bob"]["engagement"]) > 0  # 5 likes + 1 share vs 2
    check = ok(kscore("model", "check", "m.yaml"))
    assert "m.yaml: valid model" in check.stderr + check.stdout


def test_map_option_wins_over_the_models_columns(kscore, write) -> None:
    name = write("export.csv", MODEL_EXPORT)
    write("m.yaml", MODEL)
    write("other.yaml", 'name: other\ncolumns: {account: user, timestamp: when}\ntime_format: "%d.%m.%Y"\n')
    by_model = records(ok(kscore("compute", name, "--model", "m.yaml", "--no-save", "-f", "csv")).stdout)
    result = ok(kscore("compute", name, "--model", "m.yaml", "--map", "other.yaml", "--no-save", "-f", "csv"))
    assert "read 1 file as map other" in result.stderr
    by_map = records(result.stdout)
    # the map reads no likes: ann has her share left, bob nothing
    assert [row["account"] for row in by_map] == ["ann", "bob"]
    assert float(by_map[0]["engagement"]) < float(by_model[0]["engagement"])
    assert by_map[1]["engagement"] == "0.0" != by_model[1]["engagement"]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "{account: user, timestamp: when, likez: favs}",
            "columns.likez: not a canonical column (did you mean 'likes'?)",
        ),
        ("{account: user}", "columns.timestamp: missing (every row needs its time)"),
        ("[user, when]", "columns: must map canonical columns to yours (e.g. likes: favourites_count)"),
        (
            "{account: user, timestamp: {column: when, pattern: 'x'}}",
            "columns.timestamp.pattern: needs a group in parentheses",
        ),
        (
            "{account: user, timestamp: when, encoding: nope}",
            "columns.encoding: 'nope' is not an encoding Python knows",
        ),
    ],
)
def test_a_bad_columns_section_fails_model_check(kscore, write, columns: str, message: str) -> None:
    write("m.yaml", f"columns: {columns}\n")
    assert error_line(kscore("model", "check", "m.yaml")).startswith(f"m.yaml: {message}")
    name = write("export.csv", MODEL_EXPORT)
    assert error_line(kscore("compute", name, "--model", "m.yaml", "--no-save")).startswith(f"m.yaml: {message}")


# -- --accounts ---------------------------------------------------------------------------------
def analytics_file(write) -> str:  # type: ignore[no-untyped-def]
    return str(write(ANALYTICS_NAME, analytics_csv([TWEET, DASHED])))


def test_accounts_file_fills_the_audience_an_export_lacks(kscore, write) -> None:
    name = analytics_file(write)
    write("accounts.csv", "account,platform,followers,following\nalice,twitter,5000,100\n")
    before = records(ok(kscore("compute", name, "--no-save", "-f", "csv")).stdout)[0]
    result = ok(kscore("compute", name, "--accounts", "accounts.csv", "--no-save", "-f", "csv"))
    after = records(result.stdout)[0]
    assert (before["followers"], before["reach"]) == ("", "0.0")
    assert after["followers"] == "5000"
    assert float(after["reach"]) > 0
    assert float(after["score"]) > float(before["score"])
    assert after["items"] == before["items"] == "2"  # an audience is no item
    assert after["engagement"] == before["engagement"]
    assert "as of 2019-01-31 23:32 UTC" in result.stderr
    frame, report = read_sources([name], reading=Reading(accounts="accounts.csv"))
    assert len(frame) == 2 and set(frame["kind"]) == {"post"}  # the activity alone
    assert report.audience is not None
    assert report.audience[["account", "platform", "followers", "following"]].values.tolist() == [
        ["alice", "twitter", 5000.0, 100.0]
    ]
    assert report.audience["timestamp"].isna().all()  # undated


def test_accounts_row_without_timestamp_counts_at_the_latest_activity(kscore, write) -> None:
    name = analytics_file(write)
    dated = "alice,twitter,5000,1,2019-01-30T12:00:00Z\n"
    write("dated.csv", "account,platform,followers,following,timestamp\n" + dated)
    write("both.csv", "account,platform,followers,following,timestamp\nalice,twitter,7000,1,\n" + dated)
    rows = records(ok(kscore("compute", name, "--accounts", "dated.csv", "--no-save", "-f", "csv")).stdout)
    assert rows[0]["followers"] == "5000"  # dated inside the window
    rows = records(ok(kscore("compute", name, "--accounts", "both.csv", "--no-save", "-f", "csv")).stdout)
    assert rows[0]["followers"] == "7000"  # undated: at the latest activity, after 2019-01-30


def test_accounts_file_never_moves_as_of(kscore, write) -> None:
    name = analytics_file(write)
    write("later.csv", "account,platform,followers,following,timestamp\nalice,twitter,5000,100,2024-06-01\n")
    result = ok(kscore("compute", name, "--accounts", "later.csv", "--no-save", "-f", "csv"))
    assert "as of 2019-01-31 23:32 UTC" in result.stderr  # 1f3589e moved as-of to 2024: no item was left
    assert records(result.stdout)[0]["items"] == "2"


def test_accounts_rows_outside_the_window_are_noted(kscore, write) -> None:
    name = analytics_file(write)
    write("later.csv", "account,platform,followers,following,timestamp\nalice,twitter,5000,100,2024-06-01\n")
    result = ok(kscore("compute", name, "--accounts", "later.csv", "--no-save", "-f", "csv"))
    assert records(result.stdout)[0]["followers"] == ""
    assert "--accounts" in result.stderr


def test_accounts_file_fills_only_missing_audience(kscore, write) -> None:
    name = write("tweets.csv", TIDY)
    write("accounts.csv", "account,platform,followers,following\nAlDatavizguy,twitter,1,1\nbo,twitter,50,2\n")
    rows = records(ok(kscore("compute", name, "--accounts", "accounts.csv", "--no-save", "-f", "csv")).stdout)
    assert {row["account"]: row["followers"] for row in rows} == {"AlDatavizguy": "1113", "bo": "50"}


def test_accounts_rows_for_no_account_of_the_activity_are_left_out(kscore, write) -> None:
    name = analytics_file(write)
    write(
        "accounts.csv",
        "account,platform,followers,following\nalice,Twitter,5000,100\nzed,twitter,9,9\nalice,mastodon,7,7\n",
    )
    result = ok(kscore("compute", name, "--accounts", "accounts.csv", "--no-save", "-f", "csv"))
    assert [(row["account"], row["platform"], row["followers"]) for row in records(result.stdout)] == [
        ("alice", "twitter", "5000")  # platform names fold case; zed is not scored
    ]
    assert "--accounts: 2 rows naming no account and platform of the activity left out" in result.stderr


def test_check_shows_the_accounts_file_on_its_own_row(kscore, write) -> None:
    name = analytics_file(write)
    write("accounts.csv", "account,platform,followers,following\nalice,twitter,5000,100\nzed,mastodon,9,9\n")
    rows = records(ok(kscore("check", name, "--accounts", "accounts.csv", "-f", "csv")).stdout)
    assert [(row["file"], row["format"], row["rows"], row["accounts"]) for row in rows] == [
        ("accounts.csv", "accounts", "2", "2"),
        (ANALYTICS_NAME, "x-analytics", "2", "1"),
    ]
    assert rows[0]["platforms"] == "mastodon, twitter"


def test_accounts_file_on_stdin(kscore, write) -> None:
    name = analytics_file(write)
    accounts = "account,platform,followers,following\nalice,twitter,5000,100\n"
    rows = records(ok(kscore("compute", name, "--accounts", "-", "--no-save", "-f", "csv", input=accounts)).stdout)
    assert rows[0]["followers"] == "5000"
    stderr = usage_error(kscore("compute", "-", "--accounts", "-", "--no-save", input=accounts))
    assert "standard input can feed --accounts or a FILE, not both" in stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "account,followers\nalice,5000\n",
            "accounts.csv:1: an accounts file needs the columns account, platform, followers, following "
            "(missing: platform)",
        ),
        (
            "account,platform,followers,mood\nalice,twitter,5,x\n",
            "accounts.csv:1: column 'mood' is not one of an accounts file's: account, platform, followers, "
            "following, timestamp",
        ),
        (
            "account,platform,followers\nalice,twitter,many\n",
            "accounts.csv:2: column 'followers': 'many' is not a count",
        ),
        ("account,platform,followers\n", "accounts.csv: no rows after the header"),
    ],
)
def test_a_bad_accounts_file_is_a_one_line_error(kscore, write, text: str, message: str) -> None:
    name = analytics_file(write)
    write("accounts.csv", text)
    assert error_line(kscore("compute", name, "--accounts", "accounts.csv", "--no-save")) == message


# -- inputs: stdin, gzip, BOM, CRLF -----------------------------------------------------------
def test_preset_file_on_stdin(kscore, write) -> None:
    text = analytics_csv([TWEET, DASHED])
    from_file = read(write(ANALYTICS_NAME, text))
    from_stdin, report = read_sources(["-"], stdin=io.BytesIO(text.encode()))
    assert (report.files[0].name, report.files[0].format) == ("<stdin>", "x-analytics")
    assert from_stdin.equals(from_file)
    row = records(ok(kscore("check", "-", "-f", "csv", input=BASIC)).stdout)[0]
    assert (row["file"], row["format"], row["rows"]) == ("<stdin>", "tweets-basic (3 characters not UTF-8)", "3")
    result = ok(kscore("compute", "-", "--no-save", "-f", "csv", input=text))
    assert [row["account"] for row in records(result.stdout)] == ["alice"]


def test_gzipped_preset_file_keeps_its_name_for_the_account(write) -> None:
    rows = [{**TWEET, "Tweet permalink": ""}]
    plain = write("tweet_activity_metrics_bob_20190101_20190201_en.csv", analytics_csv(rows))
    packed = write(plain + ".gz", gzip.compress(analytics_csv(rows).encode()))
    frame, report = read_sources([packed])
    assert report.files[0].format == "x-analytics"
    assert frame["account"].tolist() == ["bob"]
    assert frame.equals(read(plain))


@pytest.mark.parametrize(
    "encode",
    [
        lambda rows: analytics_csv(rows).encode("utf-8-sig"),
        lambda rows: analytics_csv(rows, line_end="\r\n").encode(),
        lambda rows: analytics_csv(rows, line_end="\r\n").encode("utf-8-sig"),
    ],
    ids=["bom", "crlf", "bom+crlf"],
)
def test_bom_and_crlf_read_the_same(write, encode) -> None:  # type: ignore[no-untyped-def]
    plain = read(write(ANALYTICS_NAME, analytics_csv([TWEET, DASHED])))
    other, report = read_sources(
        [write("tweet_activity_metrics_alice_20190201_20190301_en.csv", encode([TWEET, DASHED]))]
    )
    assert report.files[0].format == "x-analytics"
    assert other.equals(plain)
    assert other["text"].iloc[0] == "line one\nline two #rstats"  # the quoted newline stays a newline


def test_crlf_non_utf8_file(write) -> None:
    frame, report = read_sources([write("BarackObama.csv", BASIC.replace(b"\n", b"\r\n"))])
    assert report.files[0].encoding == "utf-8"
    assert frame["text"].tolist() == ["caf\ufffd \ufffdquoted\ufffd", "plain", "RT @bob_1: his words"]
    assert frame["account"].tolist() == ["ann"] * 3


# -- kscore presets -----------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_presets_lists_all_six(kscore, fmt: str) -> None:
    output = ok(kscore("presets", "-f", fmt)).stdout
    rows = records(output) if fmt == "csv" else json.loads(output)
    assert [row["preset"] for row in rows] == PRESETS
    assert {key for row in rows for key in row} == {"preset", "description", "found_by", "columns"}
    shown = {row["preset"]: row for row in rows}
    assert shown["x-analytics"]["found_by"] == "tweet id, tweet permalink, tweet text, time, impressions, engagements"
    assert "likes <- 'likes' or 'favorites'" in shown["x-analytics"]["columns"]
    assert "clicks <- 'url clicks'" in shown["x-analytics"]["columns"]
    assert "file name =~ /tweet_activity_metrics_" in shown["x-analytics"]["columns"]
    assert "platform <- 'mastodon'" in shown["mastodon-statuses"]["columns"]
    assert shown["tweets-basic"]["found_by"] == "created_at, text, url, replies, retweets, favorites, user"
    # how each decides a row's kind
    assert shown["x-analytics"]["columns"].endswith("; kind post")
    assert shown["tweets-basic"]["columns"].endswith("; kind post, share where 'text' ~ /^RT @(\\w+)/")
    assert shown["x-archive"]["columns"].endswith(
        "; kind post, share where 'retweeted_status_id' is set, reply where 'in_reply_to_status_id' is set"
    )
    assert "post where 'post_type' is Q" in shown["troll-tweets"]["columns"]


def test_presets_name_prints_the_shipped_yaml(kscore) -> None:
    text = ok(kscore("presets", "X-Analytics")).stdout
    assert text == preset_text("x-analytics")
    data = yaml.safe_load(text)
    assert data["name"] == "x-analytics"
    assert data["columns"]["clicks"] == "url clicks"


@pytest.mark.parametrize("preset", PRESETS)
def test_a_printed_preset_is_a_map_that_reads_the_same(kscore, write, preset: str) -> None:
    name, content, options = FILES[preset]
    write(name, content)
    printed = ok(kscore("presets", preset)).stdout
    write("my-map.yaml", printed)
    assert load_map("my-map.yaml") == presets()[preset]
    detected = ok(kscore("compute", name, *options, "--no-save", "-f", "csv"))
    mapped = ok(kscore("compute", name, *options, "--map", "my-map.yaml", "--no-save", "-f", "csv"))
    assert mapped.stdout == detected.stdout
    assert records(mapped.stdout)
    assert f"as {preset}" in detected.stderr.splitlines()[0]
    assert f"as map {preset}" in mapped.stderr.splitlines()[0]


def test_presets_unknown_name_is_a_usage_error(kscore) -> None:
    stderr = usage_error(kscore("presets", "nope"))
    assert f"'nope' is not a preset ({', '.join(PRESETS)})" in stderr


# -- rank and explain -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "option", [("--preset", "x-analytics"), ("--map", "m.yaml"), ("--account", "me"), ("--accounts", "a.csv")]
)
def test_reading_options_without_files(kscore, option: tuple[str, str]) -> None:
    stderr = usage_error(kscore("rank", *option))
    assert "the reading options (--preset, --map, --account, --accounts, --strict) apply only with FILEs" in stderr
    stderr = usage_error(kscore("explain", "me", *option))
    assert "--preset, --map, --account, --accounts and --strict apply only with FILEs" in stderr


def test_rank_files_with_a_preset(kscore, write, db) -> None:
    name = write("tweets.csv", ARCHIVE_WITH_ACCOUNT)
    rows = records(ok(kscore("rank", name, "--preset", "x-archive", "--account", "me", "-f", "csv")).stdout)
    assert [(row["account"], row["platform"], row["items"]) for row in rows] == [("me", "twitter", "3")]
    assert not db.exists()  # rank with FILEs saves nothing


def test_every_preset_is_found_by_its_own_header_only() -> None:
    """Each preset's detect columns pick that preset, and no two presets claim the same header."""
    assert list(presets()) == PRESETS
    for name, preset in presets().items():
        assert preset.name == name
        assert "timestamp" in preset.columns
        assert detect(list(preset.detect)) is preset
        assert [other for other in PRESETS if set(presets()[other].detect) <= set(preset.detect)] == [name]


# -- final-read fixes ---------------------------------------------------------------------------
def test_an_accounts_file_with_a_column_twice_is_one_line(kscore, write) -> None:
    name = write("export.csv", MODEL_EXPORT)
    write("acc.csv", "account,platform,followers,Followers\nann,default,1,2\n")
    write("m.yaml", MODEL)
    message = error_line(kscore("compute", name, "--model", "m.yaml", "--accounts", "acc.csv", "--no-save"))
    assert message == "acc.csv:1: column 'followers' appears twice (names match case-insensitively)"


def test_check_counts_the_accounts_file_among_the_files(kscore, write) -> None:
    name = write("t.csv", "account,timestamp,likes\nann,2024-01-01,3\n")
    write("bad.csv", "account,platform,followers\nann,default,x\n")
    result = kscore("check", name, "--accounts", "bad.csv", "-f", "csv")
    assert result.exit_code == 1
    assert "1 of 2 file(s) have problems" in result.stderr


def test_a_preset_export_is_read_by_its_preset_even_when_the_model_has_columns(kscore, write) -> None:
    preset_file = write("tb.csv", "created_at,text,url,replies,retweets,favorites,user\n"
                        "10/16/17 22:59,hi,https://twitter.com/ann/status/1,1,2,3,ann\n")  # fmt: skip
    custom = write("mine.csv", MODEL_EXPORT)
    write("m.yaml", MODEL)
    result = ok(kscore("compute", preset_file, custom, "--model", "m.yaml", "--no-save", "-f", "csv"))
    scored = sorted((row["account"], row["style"]) for row in records(result.stdout))
    # the 2017 tweet is before the window: ann on twitter is dormant, still listed
    assert ("ann", "dormant") in scored and [account for account, _ in scored] == ["ann", "ann", "bob"]
    assert "1 file as tweets-basic" in result.stderr and "1 file as the model's columns:" in result.stderr
