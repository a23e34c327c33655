"""Write-matrix cases of 人才 (tests/scoping/writes.py), built from its scoping cases."""
from tests.scoping.writes import like_scoping

WRITES = {
    "talent:recognition_decide": like_scoping("talent:recognition_decide", "talent.recognition.confirm"),
    "talent:person_reveal": like_scoping("talent:person_reveal", "talent.person.view_id", audited=True,
                                         note="a full view of the ID number: its record is the PERSONAL_DATA_VIEW "
                                              "audit row"),
    "talent:person_land": like_scoping("talent:person_land", "talent.person.register"),
    "talent:person_nominate": like_scoping("talent:person_nominate", "talent.recognition.record"),
    "talent:person_competition": like_scoping("talent:person_competition", "talent.recognition.record"),
    "talent:person_self": like_scoping("talent:person_self", "talent.recognition.self"),
}
