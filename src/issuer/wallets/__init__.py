"""Issue 6: learners take their credentials anywhere (claim links, public pages, wallet offers, claimed copies)."""
