"""League (校团委), window 8 党团事务."""
