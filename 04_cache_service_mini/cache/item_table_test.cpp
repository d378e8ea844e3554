// ItemTable (intrusive hash table) and GhostQueue (fingerprint FIFO) in isolation.
#include "04_cache_service_mini/cache/item_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "04_cache_service_mini/cache/ghost_queue.hpp"

namespace cache {
namespace {

// "prefix" + std::to_string(i) trips g++ 12's -Wrestrict false positive (GCC bug 105329).
std::string Key(std::string_view prefix, int i) {
  std::string key(prefix);
  key.append(std::to_string(i));
  return key;
}

class ItemTableTest : public ::testing::Test {
 protected:
  ~ItemTableTest() override {
    for (Item* item : owned_) Unref(item);
  }
  Item* Add(const std::string& key) {
    Item* item = NewItem(key, 1, 0);
    owned_.push_back(item);
    table_.Insert(item, HashKey(key));
    return item;
  }
  Item* Find(const std::string& key) { return table_.Find(key, HashKey(key)); }

  ItemTable table_;
  std::vector<Item*> owned_;
};

TEST_F(ItemTableTest, FindsInsertedItemsByKey) {
  Item* a = Add("a");
  Item* b = Add("b");
  EXPECT_EQ(Find("a"), a);
  EXPECT_EQ(Find("b"), b);
  EXPECT_EQ(Find("c"), nullptr);
  EXPECT_EQ(table_.size(), 2u);
}

TEST_F(ItemTableTest, GrowsAndKeepsEveryItemFindable) {
  const std::size_t initial = table_.bucket_count();
  for (int i = 0; i < 10'000; ++i) Add(Key("key", i));
  EXPECT_GT(table_.bucket_count(), initial);
  EXPECT_LE(table_.size(), table_.bucket_count()) << "load factor stays <= 1";
  for (int i = 0; i < 10'000; ++i) ASSERT_NE(Find(Key("key", i)), nullptr) << i;
}

TEST_F(ItemTableTest, RemoveUnlinksOnlyThatItem) {
  for (int i = 0; i < 200; ++i) Add(Key("key", i));
  Item* victim = Find("key77");
  table_.Remove(victim, HashKey("key77"));
  EXPECT_EQ(Find("key77"), nullptr);
  EXPECT_NE(Find("key78"), nullptr);
  EXPECT_EQ(table_.size(), 199u);
}

TEST_F(ItemTableTest, ReplaceSwapsTheItemInPlace) {
  Add("a");
  Item* fresh = NewItem("a", 2, 0);
  owned_.push_back(fresh);
  table_.Replace(Find("a"), fresh, HashKey("a"));
  EXPECT_EQ(Find("a"), fresh);
  EXPECT_EQ(table_.size(), 1u);
}

TEST(ItemKeyTest, ValidKeysAreWhatMemcachedAccepts) {
  EXPECT_TRUE(IsValidKey("user:42"));
  EXPECT_TRUE(IsValidKey(std::string(250, 'k')));
  EXPECT_TRUE(IsValidKey("caf\xc3\xa9"));
  EXPECT_TRUE(IsValidKey("\x10memcaslap"));
  EXPECT_TRUE(IsValidKey("a\tb"));
  EXPECT_TRUE(IsValidKey("a\x01"));
  EXPECT_TRUE(IsValidKey("a\x7f"));
  EXPECT_TRUE(IsValidKey(std::string(250, '\xff')));
  EXPECT_FALSE(IsValidKey(""));
  EXPECT_FALSE(IsValidKey(std::string(251, 'k')));
  EXPECT_FALSE(IsValidKey("a b"));
  EXPECT_FALSE(IsValidKey("a\rb"));
  EXPECT_FALSE(IsValidKey("a\nb"));
  EXPECT_FALSE(IsValidKey(std::string("a\0b", 3)));
}

TEST(GhostQueueTest, RemembersRecentInsertionsOnce) {
  GhostQueue ghost;
  ghost.SetCapacity(100);
  ghost.Insert(HashKey("a"));
  EXPECT_TRUE(ghost.Take(HashKey("a")));
  EXPECT_FALSE(ghost.Take(HashKey("a"))) << "taking forgets";
  EXPECT_FALSE(ghost.Take(HashKey("never")));
}

TEST(GhostQueueTest, ForgetsEntriesOlderThanItsCapacity) {
  GhostQueue ghost;
  ghost.SetCapacity(100);
  ghost.Insert(HashKey("old"));
  for (int i = 0; i < 100; ++i) ghost.Insert(HashKey(Key("filler", i)));
  EXPECT_FALSE(ghost.Take(HashKey("old")));
  EXPECT_TRUE(ghost.Take(HashKey("filler99")));
}

TEST(GhostQueueTest, KeepsMostOfTheLastCapacityInsertions) {
  GhostQueue ghost;
  ghost.SetCapacity(1000);
  for (int i = 0; i < 1000; ++i) ghost.Insert(HashKey(Key("k", i)));
  int remembered = 0;
  for (int i = 0; i < 1000; ++i) remembered += ghost.Take(HashKey(Key("k", i)));
  // 4-way buckets with 2 slots per entry: a few collide and are overwritten, most survive.
  EXPECT_GT(remembered, 950);
}

TEST(GhostQueueTest, ZeroCapacityRemembersNothing) {
  GhostQueue ghost;
  ghost.Insert(HashKey("a"));
  EXPECT_FALSE(ghost.Take(HashKey("a")));
}

}  // namespace
}  // namespace cache
