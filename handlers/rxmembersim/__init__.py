"""RxMemberSim: pharmacy members, fills, pharmacy claims, adherence."""
