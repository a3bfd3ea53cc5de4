META
key;value
description;A tie in a district: two projects with equal points and money for one (made for Urna's tests)
country;Poland
unit;Kraków
district;Testowa
subunit;Testowa
instance;2024
num_projects;4
num_votes;6
budget;1000
vote_type;ordinal
rule;greedy
date_begin;13.09.2024
date_end;27.09.2024
min_length;3
max_length;3
language;pl
currency;PLN
PROJECTS
project_id;cost;votes;score;name;selected
T.1/24;500;6;14;Skwer przy szkole;1
T.4/24;100;5;8;Ławki i kosze;1
T.2/24;400;3;7;Boisko osiedlowe;1
T.3/24;400;4;7;Ścieżka rowerowa;0
VOTES
voter_id;vote
1;T.1/24,T.2/24,T.4/24
2;T.1/24,T.2/24,T.4/24
3;T.1/24,T.3/24,T.4/24
4;T.2/24,T.1/24,T.3/24
5;T.3/24,T.4/24,T.1/24
6;T.4/24,T.1/24,T.3/24
