// Every memcached command and error path. Expected bytes were taken from a running memcached
// 1.6.18 (`memcached -p 22122`, see the report); deliberate differences say so in their names.
#include "04_cache_service_mini/memcached/memcached_session.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "04_cache_service_mini/memcached/memcached_test_util.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;
using testing::MemcachedHarness;

class MemcachedSessionTest : public ::testing::Test {
 protected:
  std::string R(std::string_view input) { return h_.Reply(input); }
  MemcachedHarness h_;
};

// --- retrieval ------------------------------------------------------------------------------

TEST_F(MemcachedSessionTest, SetThenGetReturnsTheValue) {
  EXPECT_EQ(R("set k 5 0 5\r\nhello\r\nget k\r\n"), "STORED\r\nVALUE k 5 5\r\nhello\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, GetsAddsTheCasUnique) {
  R("set k 0 0 1\r\nx\r\n");
  const std::uint64_t cas = h_.cache().Get("k").cas();
  EXPECT_EQ(R("gets k\r\n"), "VALUE k 0 1 " + std::to_string(cas) + "\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, MultiGetAnswersHitsInOrderIncludingRepeats) {
  R("set a 0 0 1\r\n1\r\nset b 0 0 1\r\n2\r\n");
  EXPECT_EQ(R("get a missing b a\r\n"),
            "VALUE a 0 1\r\n1\r\nVALUE b 0 1\r\n2\r\nVALUE a 0 1\r\n1\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, GetOfMissingKeyIsJustEnd) { EXPECT_EQ(R("get nope\r\n"), "END\r\n"); }

TEST_F(MemcachedSessionTest, GetWithoutKeysIsError) {
  EXPECT_EQ(R("get\r\nget \r\ngets\r\n"), "ERROR\r\nERROR\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, OneBadKeyFailsTheWholeGet) {
  R("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(R("get a " + std::string(251, 'b') + " a\r\nversion\r\n"),
            "CLIENT_ERROR bad command line format\r\nVERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, ValueMayContainCrLfAndBinary) {
  const std::string value("a\r\nb\0c\xff", 7);
  EXPECT_EQ(R("set k 0 0 7\r\n" + value + "\r\nget k\r\n"),
            "STORED\r\nVALUE k 0 7\r\n" + value + "\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, EmptyValueRoundTrips) {
  EXPECT_EQ(R("set k 0 0 0\r\n\r\nget k\r\n"), "STORED\r\nVALUE k 0 0\r\n\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, GatReturnsValuesAndSetsTheExpiry) {
  R("set g 5 0 2\r\nhi\r\n");
  EXPECT_EQ(R("gat 100 g nokey g\r\n"), "VALUE g 5 2\r\nhi\r\nVALUE g 5 2\r\nhi\r\nEND\r\n");
  h_.clock().Advance(100s);
  EXPECT_EQ(R("get g\r\n"), "END\r\n");
  const CacheStats stats = h_.cache().Stats();
  EXPECT_EQ(stats.touch_hits, 2u);
  EXPECT_EQ(stats.touch_misses, 1u);
}

TEST_F(MemcachedSessionTest, GatsAddsTheCasUnique) {
  R("set g 0 0 1\r\nx\r\n");
  const std::uint64_t cas = h_.cache().Get("g").cas();
  EXPECT_EQ(R("gats 0 g\r\n"), "VALUE g 0 1 " + std::to_string(cas) + "\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, GatRejectsABadExptimeAndAnswersEndWithoutKeys) {
  EXPECT_EQ(R("gat g\r\ngat abc g\r\ngat 100\r\ngat\r\n"),
            "CLIENT_ERROR invalid exptime argument\r\nCLIENT_ERROR invalid exptime argument\r\n"
            "END\r\nERROR\r\n");
}

// --- storage --------------------------------------------------------------------------------

TEST_F(MemcachedSessionTest, AddReplaceAppendPrependFollowPresence) {
  EXPECT_EQ(R("set a 0 0 1\r\nx\r\nappend a 0 0 2\r\nyz\r\nprepend a 0 0 1\r\nw\r\nget a\r\n"),
            "STORED\r\nSTORED\r\nSTORED\r\nVALUE a 0 4\r\nwxyz\r\nEND\r\n");
  EXPECT_EQ(R("append nokey 0 0 1\r\nx\r\nadd a 0 0 1\r\nx\r\nreplace nokey 0 0 1\r\nx\r\n"
              "add b 0 0 1\r\nx\r\nreplace b 0 0 1\r\ny\r\nget b\r\n"),
            "NOT_STORED\r\nNOT_STORED\r\nNOT_STORED\r\nSTORED\r\nSTORED\r\nVALUE b 0 1\r\ny\r\n"
            "END\r\n");
}

TEST_F(MemcachedSessionTest, AppendIgnoresFlagsAndExptime) {
  EXPECT_EQ(R("set a 3 0 1\r\nx\r\nappend a 7 100 1\r\nq\r\nget a\r\n"),
            "STORED\r\nSTORED\r\nVALUE a 3 2\r\nxq\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, CasAnswersStoredExistsAndNotFound) {
  R("set c 0 0 1\r\nx\r\n");
  const std::uint64_t cas = h_.cache().Get("c").cas();
  EXPECT_EQ(R("cas c 0 0 1 " + std::to_string(cas + 100) +
              "\r\ny\r\ncas nokey 0 0 1 1\r\ny\r\n"
              "cas c 0 0 1 " +
              std::to_string(cas) + "\r\nz\r\nget c\r\n"),
            "EXISTS\r\nNOT_FOUND\r\nSTORED\r\nVALUE c 0 1\r\nz\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, CasWithoutUniqueIsErrorAndBadUniqueIsClientError) {
  EXPECT_EQ(R("cas c 0 0 1\r\ny\r\ncas c 0 0 1 abc\r\ny\r\n"),
            "ERROR\r\nERROR\r\nCLIENT_ERROR bad command line format\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, NoreplySilencesStorageReplies) {
  EXPECT_EQ(R("set k 0 0 1 noreply\r\nx\r\nadd k 0 0 1 noreply\r\ny\r\nget k\r\n"),
            "VALUE k 0 1\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, ExtraTokenThatIsNotNoreplyIsIgnored) {
  EXPECT_EQ(R("set k 0 0 1 garbage\r\nx\r\n"), "STORED\r\n");
}

TEST_F(MemcachedSessionTest, WrongTokenCountIsError) {
  EXPECT_EQ(R("set k 0 0\r\nx\r\n"), "ERROR\r\nERROR\r\n");
  EXPECT_EQ(R("set k 0 0 1 2 3\r\nx\r\n"), "ERROR\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, BadNumbersAreClientErrorsAndTheDataIsReadAsACommand) {
  for (std::string line : {"set k abc 0 1", "set k -1 0 1", "set k 0 abc 1", "set k 0 0 -1",
                           "set k 99999999999999999999 0 1", "set k 0 0 99999999999"}) {
    EXPECT_EQ(R(line + "\r\nx\r\n"), "CLIENT_ERROR bad command line format\r\nERROR\r\n") << line;
  }
}

TEST_F(MemcachedSessionTest, FlagsUpTo2To32MinusOneAreKept) {
  EXPECT_EQ(R("set k 4294967295 0 1\r\nx\r\nget k\r\n"),
            "STORED\r\nVALUE k 4294967295 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(R("set k +5 0 1\r\nx\r\nget k\r\n"), "STORED\r\nVALUE k 5 1\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, DifferenceFlagsAbove32BitsAreRefusedNotTruncated) {
  // memcached 1.6.18 answers STORED and keeps flags mod 2^32.
  EXPECT_EQ(R("set k 4294967296 0 1\r\nx\r\n"),
            "CLIENT_ERROR bad command line format\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, KeyOf251BytesIsRefusedAnd250Accepted) {
  EXPECT_EQ(R("set " + std::string(251, 'a') + " 0 0 1\r\nx\r\n"),
            "CLIENT_ERROR bad command line format\r\nERROR\r\n");
  const std::string key(250, 'a');
  EXPECT_EQ(R("set " + key + " 0 0 1\r\nx\r\nget " + key + "\r\n"),
            "STORED\r\nVALUE " + key + " 0 1\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, KeysWithControlBytesDelAndUtf8AreStoredAsMemcachedStoresThem) {
  // memcaslap's keys start with 0x10; memcached 1.6.18 stores all of these (checked on it).
  for (std::string key : {"\x10memcaslap", "k\x01", "tab\tkey", "del\x7f", "caf\xc3\xa9", "\xff"}) {
    EXPECT_EQ(R("set " + key + " 3 0 1\r\nx\r\nget " + key + "\r\ndelete " + key + "\r\n"),
              "STORED\r\nVALUE " + key + " 3 1\r\nx\r\nEND\r\nDELETED\r\n");
  }
}

TEST_F(MemcachedSessionTest, DifferenceKeysWithCrOrNulAreRefused) {
  // memcached 1.6.18 stores "a\rb" (a key no CR-splitting client can read back) and stops reading
  // the line at a NUL (so it never sees such a key, and answers ERROR for the short line).
  EXPECT_EQ(R("set a\rb 0 0 1\r\nx\r\nget a\rb\r\n"),
            "CLIENT_ERROR bad command line format\r\nERROR\r\n"
            "CLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(R(std::string("set a\0b 0 0 1\r\nx\r\n", 18)),
            "CLIENT_ERROR bad command line format\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, TabIsNotASeparator) {
  EXPECT_EQ(R("set k\t0 0 1\r\nx\r\n"), "ERROR\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, ShortDataBlockIsBadDataChunkAndParsingContinues) {
  R("set k 0 0 5\r\nhello\r\n");
  // 3 bytes are "hel", the terminator position holds "lo": bad chunk; "\r\n" is then an empty line.
  EXPECT_EQ(R("set k 0 0 3\r\nhello\r\nget k\r\n"),
            "CLIENT_ERROR bad data chunk\r\nERROR\r\nVALUE k 0 5\r\nhello\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, LongDataBlockIsBadDataChunk) {
  EXPECT_EQ(R("set k 0 0 5\r\nhelloXY\r\nget k\r\n"),
            "CLIENT_ERROR bad data chunk\r\nERROR\r\nEND\r\n");
  EXPECT_EQ(R("set k 0 0 1\r\nx\nget k\r\n"), "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, NoreplyAlsoSilencesBadDataChunk) {
  EXPECT_EQ(R("set k 0 0 1 noreply\r\nabc\r\nversion\r\n"), "ERROR\r\nVERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, TooLargeValueIsSkippedAndTheOldValueDropped) {
  CacheOptions options;
  options.max_value_bytes = 100;
  MemcachedHarness h(options);
  h.Reply("set k 0 0 1\r\nx\r\n");
  EXPECT_EQ(h.Reply("set k 0 0 101\r\n" + std::string(101, 'z') + "\r\nget k\r\n"),
            "SERVER_ERROR object too large for cache\r\nEND\r\n");
  EXPECT_EQ(h.cache().Stats().store_too_large, 1u);
}

TEST_F(MemcachedSessionTest, TooLargeValueUnderNoreplyIsSilentlySkipped) {
  CacheOptions options;
  options.max_value_bytes = 100;
  MemcachedHarness h(options);
  EXPECT_EQ(h.Reply("set k 0 0 500 noreply\r\n" + std::string(500, 'z') + "\r\nversion\r\n"),
            "VERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, ItemBiggerThanAShardIsOutOfMemory) {
  CacheOptions options;
  options.max_bytes = 4096;
  options.shards = 4;
  MemcachedHarness h(options);
  EXPECT_EQ(h.Reply("set k 0 0 2000\r\n" + std::string(2000, 'z') + "\r\nversion\r\n"),
            "SERVER_ERROR out of memory storing object\r\nVERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, NegativeExptimeStoresAnAlreadyExpiredItem) {
  EXPECT_EQ(R("set k 0 -1 1\r\nx\r\nget k\r\n"), "STORED\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, RelativeExptimeCountsSeconds) {
  R("set k 0 10 1\r\nx\r\n");
  h_.clock().Advance(9s);
  EXPECT_EQ(R("get k\r\n"), "VALUE k 0 1\r\nx\r\nEND\r\n");
  h_.clock().Advance(1s);
  EXPECT_EQ(R("get k\r\n"), "END\r\n");
}

TEST_F(MemcachedSessionTest, ExptimeOver30DaysIsAbsoluteUnixTime) {
  const std::int64_t now = h_.wall().UnixSeconds();
  R("set abs 0 " + std::to_string(now + 60) + " 1\r\nx\r\nset past 0 " + std::to_string(now - 1) +
    " 1\r\nx\r\n");
  EXPECT_EQ(R("get past\r\n"), "END\r\n");
  h_.clock().Advance(59s);
  EXPECT_EQ(R("get abs\r\n"), "VALUE abs 0 1\r\nx\r\nEND\r\n");
  h_.clock().Advance(1s);
  EXPECT_EQ(R("get abs\r\n"), "END\r\n");
}

TEST_F(MemcachedSessionTest, ThirtyDaysIsStillRelative) {
  R("set k 0 2592000 1\r\nx\r\n");
  h_.clock().Advance(std::chrono::seconds(2592000 - 1));
  EXPECT_EQ(R("get k\r\n"), "VALUE k 0 1\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, ExptimesBeyond32BitsAreDatesNotWrapped) {
  // memcached 1.6.18 keeps the low 32 bits: 2147483648 becomes negative (expired at once) and
  // 9999999999 a date in 2014. Here every int64 is an exptime with memcached's documented meaning.
  EXPECT_EQ(R("set a 0 2147483648 1\r\nx\r\nset b 0 9999999999 1\r\nx\r\n"
              "set c 0 9223372036854775807 1\r\nx\r\nget a b c\r\n"),
            "STORED\r\nSTORED\r\nSTORED\r\nVALUE a 0 1\r\nx\r\nVALUE b 0 1\r\nx\r\n"
            "VALUE c 0 1\r\nx\r\nEND\r\n");
  // 2147483648 is 2038-01-19 (14.2 years after the test's wall clock): it expires then, the
  // others (clamped to 100 years) do not.
  h_.clock().Advance(std::chrono::hours(24 * 365 * 15));
  EXPECT_EQ(R("get a b c\r\n"), "VALUE b 0 1\r\nx\r\nVALUE c 0 1\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, ExtremeExptimesOnEveryCommandThatTakesOne) {
  R("set t 0 1 1\r\nx\r\nset g 0 1 1\r\nx\r\nset n 0 0 1\r\nx\r\n");
  EXPECT_EQ(R("touch t 9223372036854775807\r\ngat 9223372036854775807 g\r\n"
              "touch n -9223372036854775808\r\n"),
            "TOUCHED\r\nVALUE g 0 1\r\nx\r\nEND\r\nTOUCHED\r\n");
  h_.clock().Advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(R("get t g n\r\n"), "VALUE t 0 1\r\nx\r\nVALUE g 0 1\r\nx\r\nEND\r\n");
  // Past int64: not a number.
  EXPECT_EQ(R("set o 0 9223372036854775808 1\r\nx\r\ntouch t 99999999999999999999\r\n"
              "gat -9223372036854775809 t\r\nflush_all 9223372036854775808\r\n"),
            "CLIENT_ERROR bad command line format\r\nERROR\r\n"
            "CLIENT_ERROR invalid exptime argument\r\nCLIENT_ERROR invalid exptime argument\r\n"
            "CLIENT_ERROR invalid exptime argument\r\n");
  // The longest flush_all delay flushes nothing now (it used to overflow into the past).
  EXPECT_EQ(R("flush_all 9223372036854775807\r\nget t\r\n"), "OK\r\nVALUE t 0 1\r\nx\r\nEND\r\n");
}

// --- delete / incr / decr / touch ------------------------------------------------------------

TEST_F(MemcachedSessionTest, DeleteFormsAndErrors) {
  R("set g 0 0 1\r\nx\r\n");
  EXPECT_EQ(R("delete g\r\ndelete g\r\ndelete g 0\r\ndelete g 5\r\ndelete g noreply\r\n"
              "delete g 0 noreply\r\ndelete\r\ndelete a b c d\r\n"),
            "DELETED\r\nNOT_FOUND\r\nNOT_FOUND\r\n"
            "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n"
            "ERROR\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, IncrAndDecrRepliesAndErrors) {
  EXPECT_EQ(R("set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nincr n abc\r\nincr n -1\r\n"
              "incr zz 1\r\nincr n 18446744073709551615\r\nincr n 18446744073709551616\r\n"),
            "STORED\r\n15\r\n0\r\nCLIENT_ERROR invalid numeric delta argument\r\n"
            "CLIENT_ERROR invalid numeric delta argument\r\nNOT_FOUND\r\n"
            "18446744073709551615\r\nCLIENT_ERROR invalid numeric delta argument\r\n");
}

TEST_F(MemcachedSessionTest, IncrOfNonNumericValueIsClientError) {
  EXPECT_EQ(R("set n 0 0 2\r\nab\r\nincr n 1\r\nset e 0 0 0\r\n\r\nincr e 1\r\n"),
            "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
            "STORED\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
}

TEST_F(MemcachedSessionTest, IncrWrapsAndDecrFloors) {
  EXPECT_EQ(R("set n 0 0 20\r\n18446744073709551615\r\nincr n 2\r\nset m 0 0 1\r\n3\r\n"
              "decr m 9\r\n"),
            "STORED\r\n1\r\nSTORED\r\n0\r\n");
}

TEST_F(MemcachedSessionTest, DifferenceIncrResultIsNotSpacePadded) {
  // memcached may rewrite "100" -> "99 " in place; the protocol says clients must not rely on it.
  EXPECT_EQ(R("set n 0 0 3\r\n100\r\ndecr n 1\r\nget n\r\n"),
            "STORED\r\n99\r\nVALUE n 0 2\r\n99\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, IncrWrongArgumentCountIsErrorAndNoreplySilences) {
  EXPECT_EQ(R("set a 0 0 1\r\n1\r\nincr a\r\nincr a 1 2\r\nincr a 1 noreply\r\nincr a x noreply\r\n"
              "get a\r\n"),
            "STORED\r\nERROR\r\n2\r\nVALUE a 0 1\r\n3\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, TouchRepliesAndErrors) {
  R("set c 0 0 1\r\nx\r\n");
  EXPECT_EQ(R("touch c 100\r\ntouch nokey 100\r\ntouch c abc\r\ntouch c\r\ntouch c 1 noreply\r\n"
              "touch c 1 2 3\r\n"),
            "TOUCHED\r\nNOT_FOUND\r\nCLIENT_ERROR invalid exptime argument\r\nERROR\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, TouchWithNegativeExptimeExpiresTheItem) {
  EXPECT_EQ(R("set t 0 0 1\r\nx\r\ntouch t -1\r\nget t\r\n"), "STORED\r\nTOUCHED\r\nEND\r\n");
}

// --- flush_all / version / verbosity / quit ---------------------------------------------------

TEST_F(MemcachedSessionTest, FlushAllFormsAndErrors) {
  EXPECT_EQ(R("flush_all\r\nflush_all 0\r\nflush_all abc\r\nflush_all noreply\r\n"
              "flush_all -1\r\nflush_all 1 2\r\nflush_all 0 noreply\r\nflush_all 1 2 3\r\n"),
            "OK\r\nOK\r\nCLIENT_ERROR invalid exptime argument\r\nOK\r\nOK\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, FlushAllHidesOlderItems) {
  R("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(R("flush_all\r\nget a\r\nset b 0 0 1\r\ny\r\nget b\r\n"),
            "OK\r\nEND\r\nSTORED\r\nVALUE b 0 1\r\ny\r\nEND\r\n");
  EXPECT_EQ(h_.cache().Stats().get_flushed, 1u);
}

TEST_F(MemcachedSessionTest, DelayedFlushAllWaitsForItsTime) {
  R("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(R("flush_all 10\r\nget a\r\n"), "OK\r\nVALUE a 0 1\r\nx\r\nEND\r\n");
  h_.clock().Advance(10s);
  EXPECT_EQ(R("get a\r\n"), "END\r\n");
}

TEST_F(MemcachedSessionTest, VersionIgnoresArguments) {
  EXPECT_EQ(R("version\r\nversion x\r\n"), "VERSION 1.6.18-test\r\nVERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, VerbosityFormsAndErrors) {
  EXPECT_EQ(R("verbosity\r\nverbosity 1\r\nverbosity abc\r\nverbosity 1 noreply\r\n"
              "verbosity 1 2 3\r\nverbosity noreply\r\n"),
            "ERROR\r\nOK\r\nCLIENT_ERROR bad command line format\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, QuitClosesAndIgnoresTheRest) {
  const testing::Conversation c = h_.Send("version\r\nquit\r\nversion\r\n");
  EXPECT_EQ(c.output, "VERSION 1.6.18-test\r\n");
  EXPECT_TRUE(c.closed);
  EXPECT_TRUE(h_.Send("quit extra\r\n").closed);
}

// --- framing ---------------------------------------------------------------------------------

TEST_F(MemcachedSessionTest, UnknownCommandEndingInAnHttpVersionClosesWithoutAReply) {
  for (std::string line :
       {"GET / HTTP/1.1", "POST /cache HTTP/1.0", "bogus HTTP/", "HTTP/1.1", "PUT /x HTTP/2"}) {
    const testing::Conversation c = h_.Send("version\r\n" + line + "\r\nversion\r\n");
    EXPECT_EQ(c.output, "VERSION 1.6.18-test\r\n") << line;
    EXPECT_TRUE(c.closed) << line;
  }
}

TEST_F(MemcachedSessionTest, HttpTokenOnlyClosesWhereMemcachedClosesToo) {
  // Each line's answer is memcached 1.6.18's: a known command runs; a word memcached dispatches by
  // its first byte (g s a c i d t, two-letter m..) is ERROR; an HTTP token not last is ERROR.
  EXPECT_EQ(R("get foo HTTP/1.1\r\nstats HTTP/1.1\r\nbogus http/1.1\r\nbogus HTTP/1.1 x\r\n"
              "gx HTTP/1.1\r\ntx HTTP/1.1\r\nmx HTTP/1.1\r\nx HTTP/1.1\r\n"
              "touch k HTTP/1.1\r\nversion\r\n"),
            "END\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\n"
            "CLIENT_ERROR invalid exptime argument\r\nVERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, HttpTokenIsLookedForWhereMemcachedsTokenizerStops) {
  // memcached sees at most 23 tokens: an HTTP/ 23rd token closes even when more follow it, and
  // one after the 23rd is not seen.
  std::string words;
  for (int i = 0; i < 22; ++i) words += "w ";
  EXPECT_TRUE(h_.Send("bogus " + words.substr(2) + "HTTP/1.1 a b\r\n").closed);
  EXPECT_EQ(R("bogus " + words + "HTTP/1.1\r\n"), "ERROR\r\n");
}

TEST_F(MemcachedSessionTest, UnknownCommandsEmptyLinesAndUpperCaseAreErrors) {
  EXPECT_EQ(R("foo\r\n\r\nGET a\r\n"), "ERROR\r\nERROR\r\nERROR\r\n");
}

TEST_F(MemcachedSessionTest, BareNewlineEndsCommandLines) {
  EXPECT_EQ(R("set k 0 0 1\nx\r\nget k\n"), "STORED\r\nVALUE k 0 1\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, LeadingAndRepeatedSpacesAreIgnored) {
  EXPECT_EQ(R("set k  0  0  1\r\nx\r\n   get   k  \r\n"), "STORED\r\nVALUE k 0 1\r\nx\r\nEND\r\n");
}

TEST_F(MemcachedSessionTest, BinaryJunkIsAnErrorPerLine) {
  EXPECT_EQ(R(std::string("\x00\x01\x02\xff\r\n\x80\x01\x00\x00\r\nversion\r\n", 21)),
            "ERROR\r\nERROR\r\nVERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, LineWithoutNewlineOverTheLimitClosesTheConnection) {
  const testing::Conversation short_junk = h_.Send(std::string(2048, 'x'));
  EXPECT_FALSE(short_junk.closed);
  const testing::Conversation long_junk = h_.Send(std::string(2049, 'x'));
  EXPECT_EQ(long_junk.output, "CLIENT_ERROR line too long\r\n");
  EXPECT_TRUE(long_junk.closed);
}

TEST_F(MemcachedSessionTest, DifferenceOverLongCompleteLineAlsoCloses) {
  // memcached answers ERROR if the whole line reached it in one read; we decide by length alone,
  // so the answer does not depend on how TCP split the bytes.
  const testing::Conversation c = h_.Send(std::string(3000, 'x') + "\r\nversion\r\n");
  EXPECT_EQ(c.output, "CLIENT_ERROR line too long\r\n");
  EXPECT_TRUE(c.closed);
}

TEST_F(MemcachedSessionTest, RetrievalLinesMayBeLongerThanOtherLines) {
  std::string line = "get";
  for (int i = 0; i < 1500; ++i) line += " k";
  EXPECT_EQ(R(line + "\r\nversion\r\n"), "END\r\nVERSION 1.6.18-test\r\n");
}

TEST_F(MemcachedSessionTest, AGetOf18700KeysIsServedByDefaultAsMemcachedServesIt) {
  // A 187 KB line, as a client batching 18,700 keys sends it; the TCP server hands it over in
  // 16 KiB reads, so it is assembled across Feed calls.
  R("set key000042 5 0 2\r\nhi\r\nset key018699 0 0 1\r\nz\r\n");
  std::string line = "get";
  for (int i = 0; i < 18'700; ++i)
    line += " key" + std::string(6 - std::to_string(i).size(), '0') + std::to_string(i);
  ASSERT_GT(line.size(), 187'000u);
  for (std::size_t chunk : {std::size_t{0}, std::size_t{16} * 1024}) {
    const testing::Conversation c = h_.Send(line + "\r\nversion\r\n", chunk);
    EXPECT_EQ(c.output,
              "VALUE key000042 5 2\r\nhi\r\nVALUE key018699 0 1\r\nz\r\nEND\r\n"
              "VERSION 1.6.18-test\r\n")
        << chunk;
    EXPECT_FALSE(c.closed);
  }
}

TEST_F(MemcachedSessionTest, RetrievalLineCapIsAnOptionAndStillBounds) {
  MemcachedOptions options;
  options.max_retrieval_line_bytes = 10'000;
  MemcachedHarness h({}, options);
  std::string keys;
  for (int i = 0; i < 900; ++i) keys += " abcdefghi";  // 9,000 bytes
  EXPECT_EQ(h.Reply("get" + keys + "\r\n"), "END\r\n");
  const testing::Conversation c = h.Send("get " + std::string(10'000, 'k'), 1000);
  EXPECT_EQ(c.output, "CLIENT_ERROR line too long\r\n");
  EXPECT_TRUE(c.closed);
  // The default cap, 1 MiB, is a bound too.
  const testing::Conversation big = h_.Send("get " + std::string(std::size_t{1} << 20, 'k'));
  EXPECT_EQ(big.output, "CLIENT_ERROR line too long\r\n");
  EXPECT_TRUE(big.closed);
}

TEST_F(MemcachedSessionTest, ClientStoppingMidValueStoresNothing) {
  EXPECT_EQ(R("set k 0 0 10\r\nabc"), "");
  EXPECT_FALSE(h_.cache().Get("k"));
  EXPECT_EQ(h_.cache().Stats().bytes, 0u) << "the half-read value was never charged";
}

TEST_F(MemcachedSessionTest, ValuesInFlightAreChargedToTheBudget) {
  // Issue 10, item 8: 500 connections each sending a 1 MB set and holding back its last byte.
  CacheOptions options;
  options.max_bytes = std::size_t{8} << 20;
  options.shards = 1;
  MemcachedHarness h(options);
  const std::string value(999'999, 'v');
  std::vector<std::unique_ptr<MemcachedSession>> sessions;
  int refused = 0;
  for (int i = 0; i < 500; ++i) {
    sessions.push_back(std::make_unique<MemcachedSession>(h.service()));
    const std::string out =
        testing::Drive(*sessions.back(), "set k" + std::to_string(i) + " 0 0 1000000\r\n" + value,
                       std::size_t{64} * 1024)
            .output;
    if (out == "SERVER_ERROR out of memory storing object\r\n") {
      ++refused;
    } else {
      ASSERT_EQ(out, "") << i;  // accepted: waiting for the last byte
    }
    const CacheStats stats = h.cache().Stats();
    ASSERT_LE(stats.bytes + stats.bytes_in_flight, stats.limit_maxbytes) << i;
  }
  EXPECT_EQ(refused, 492);  // 8 x (1 MB + key + item overhead) fit in 8 MiB
  // An accepted value completes and is stored; a refused connection's bytes were skipped and it
  // goes on serving.
  EXPECT_EQ(testing::Drive(*sessions[0], "v\r\nget k0\r\n").output.substr(0, 24),
            "STORED\r\nVALUE k0 0 10000");
  EXPECT_EQ(testing::Drive(*sessions[499], "v\r\nversion\r\n").output, "VERSION 1.6.18-test\r\n");
  sessions.clear();  // the rest disconnect mid-value
  EXPECT_EQ(h.cache().Stats().bytes_in_flight, 0u);
  EXPECT_EQ(h.cache().Stats().curr_items, 1u);
}

TEST_F(MemcachedSessionTest, AValueSplitAcrossReadsIsReservedUntilItsLastByte) {
  MemcachedSession session(h_.service());
  EXPECT_EQ(testing::Drive(session, "set k 0 0 10\r\nabc").output, "");
  EXPECT_EQ(h_.cache().Stats().bytes_in_flight, ItemCharge(1, 10));
  EXPECT_EQ(testing::Drive(session, "defghij\r\n").output, "STORED\r\n");
  EXPECT_EQ(h_.cache().Stats().bytes_in_flight, 0u);
  EXPECT_EQ(h_.cache().Stats().bytes, ItemCharge(1, 10));
  // A value that arrives whole with its command is stored in the same call: nothing in flight.
  EXPECT_EQ(testing::Drive(session, "set w 0 0 3\r\nabc\r\n").output, "STORED\r\n");
  EXPECT_EQ(h_.cache().Stats().bytes_in_flight, 0u);
}

TEST_F(MemcachedSessionTest, PipelinedCommandsAreAnsweredInOrder) {
  EXPECT_EQ(R("set a 0 0 1\r\n1\r\nget a\r\nincr a 1\r\ndelete a\r\nget a\r\nversion\r\n"),
            "STORED\r\nVALUE a 0 1\r\n1\r\nEND\r\n2\r\nDELETED\r\nEND\r\nVERSION 1.6.18-test\r\n");
}

}  // namespace
}  // namespace cache
