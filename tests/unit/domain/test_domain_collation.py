from hypothesis import given
from hypothesis import strategies as st

from sollhaben.domain.collation import name_key, sort_key


def test_umlauts_and_accents_sort_with_their_base_letter():
    names = ["Zürcher", "Öztürk", "Otto", "Paul", "Ärni", "Adler", "Bär", "Baer", "Müller", "Mueller", "Muster",
             "Éric", "Emil", "Straße", "Strasse", "Strand", "Çelik", "Celine", "yilmaz", "Yılmaz", "Zoë", "Zoe"]
    ordered = sorted(names, key=lambda n: (sort_key(n), n))
    assert ordered == ["Adler", "Ärni", "Baer", "Bär", "Çelik", "Celine", "Emil", "Éric", "Mueller", "Müller",
                       "Muster", "Otto", "Öztürk", "Paul", "Strand", "Strasse", "Straße", "Yılmaz", "yilmaz",
                       "Zoe", "Zoë", "Zürcher"]


def test_case_is_ignored():
    assert sort_key("VON ARX") == sort_key("von Arx") == "von arx"


@given(st.text())
def test_key_is_total_and_idempotent_on_ascii_lowercase(text):
    key = sort_key(text)
    assert isinstance(key, str)
    if text.isascii():
        assert key == text.casefold()


def test_name_key_orders_like_the_pair():
    pairs = [("Meierhans", "Anna"), ("Meier", "Zoe"), ("Meier", ""), ("Müller", "Ben"), ("Muller", "Anna")]
    assert sorted(pairs, key=lambda p: name_key(*p)) == sorted(pairs, key=lambda p: (sort_key(p[0]), sort_key(p[1])))
