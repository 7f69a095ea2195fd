#define BOOST_TEST_MODULE sha256
#include "fundcheck/engine/sha256.hpp"

#include <boost/test/unit_test.hpp>

using fundcheck::engine::sha256;
using fundcheck::engine::sha256_hex;

BOOST_AUTO_TEST_SUITE(sha256_digests)

// FIPS 180-4 examples.
BOOST_AUTO_TEST_CASE(known_vectors) {
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  BOOST_TEST(sha256_hex(std::string(1'000'000, 'a')) ==
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(updates_in_pieces_give_the_same_digest) {
  const std::string text = "Kræftplan V: 42,0 mio. kr. til palliation, fordelt efter bloktilskudsnøglen.";
  for (std::size_t cut = 0; cut <= text.size(); cut += 7) {
    sha256 h;
    h.update(std::string_view(text).substr(0, cut));
    h.update(std::string_view(text).substr(cut));
    BOOST_TEST(h.hex_digest() == sha256_hex(text));
  }
}

BOOST_AUTO_TEST_SUITE_END()
